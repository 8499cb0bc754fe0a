package org.dmfilemapd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Dependencies in the product point one way: a package may use the packages below it, never one
 * above it. The order is written here, once; a new package must be placed in it.
 */
class LayersTest {

    /** Bottom first. A package may use any package listed before it. */
    static final List<String> LAYERS = List.of(
            "domain",      // the description of a monitored file and the monitor's result
            "metrics",     // per-file IO counters, their carry and their exposition (JDK only)
            "jni",         // thin bindings to the shim
            "sys",         // pid files and locks, signals
            "cli",         // parses the command line
            "log",         // logging set-up
            "handover",    // the client/service wire format
            "detect",      // change detection: followers, verdicts, holder scan
            "regions",     // the kernel's regions: checks, planning, updates, the group lock
            "monitor",     // the event loop, its schedule, shared stats handles
            "service",     // the shared service (jsvc daemon class) and re-adoption
            "background",  // the jsvc per-file daemon's command line and JVM options
            "client",      // talks to the service, starting it if needed: hand-over, status, forget
            "launch",      // the Java API
            "");           // Main

    private static final Path MAIN = Path.of("java/main/org/dmfilemapd");
    private static final Pattern REF = Pattern.compile("\\borg\\.dmfilemapd\\.(?:([a-z]+)\\.)?[A-Z]");

    @Test
    void everyPackageHasALayer() throws IOException {
        List<String> unplaced = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            files.filter(p -> p.toString().endsWith(".java"))
                    .map(LayersTest::packageOf).distinct()
                    .filter(p -> !LAYERS.contains(p)).forEach(unplaced::add);
        }
        assertEquals(List.of(), unplaced, "packages missing from LayersTest.LAYERS");
    }

    @Test
    void noPackageUsesOneAboveIt() throws IOException {
        List<String> upward = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                checked++;
                String from = packageOf(file);
                int fromLayer = LAYERS.indexOf(from);
                String code = withoutComments(Files.readString(file, StandardCharsets.UTF_8));
                Matcher m = REF.matcher(code);
                while (m.find()) {
                    String to = m.group(1) == null ? "" : m.group(1);
                    if (LAYERS.indexOf(to) > fromLayer) {
                        upward.add(MAIN.relativize(file) + " -> " + (to.isEmpty() ? "(root)" : to));
                    }
                }
            }
        }
        assertTrue(checked > 50, "read the source tree (" + checked + " files)");
        assertEquals(List.of(), upward, "upward dependencies");
    }

    private static String packageOf(Path file) {
        Path dir = MAIN.relativize(file).getParent();
        return dir == null ? "" : dir.toString().replace('/', '.');
    }

    private static String withoutComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }
}
