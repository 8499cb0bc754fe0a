package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** dmfilemapd(8) as man-db renders it: no warning from groff, every section there. */
class ManPageTest {
    private static final Path PAGE = DaemonProcess.LAUNCHER.toAbsolutePath().getParent().resolve("man/dmfilemapd.8");

    @Test
    void rendersWithoutWarnings() throws Exception {
        assertTrue(Files.isRegularFile(PAGE), PAGE.toString());
        ProcessBuilder pb = new ProcessBuilder("man", "--warnings", "-l", PAGE.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("MANWIDTH", "80");
        pb.environment().remove("MANPAGER");
        pb.environment().put("PAGER", "cat");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals("", err, "groff's warnings");
        for (String section : List.of("NAME", "SYNOPSIS", "ARGUMENTS", "MODES", "STATUS AND FORGET", "SERVICE",
                "EXIT STATUS", "FILES", "ENVIRONMENT", "SIGNALS", "DIFFERENCES FROM THE ORIGINAL", "EXAMPLES")) {
            assertTrue(out.contains("\n" + section + "\n"), "section " + section + ":\n" + out);
        }
        assertTrue(out.contains("dmstats create --filemap"), out);
    }
}
