package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service returns its start-up memory to the kernel once quiet ({@code DMFILEMAPD_TRIM}
 * seconds after its start and after each hand-over), and monitors on as before: the pages it
 * dropped come back from their files when needed.
 */
class ServiceTrimTest extends OnDmDevice {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Pattern TRIMMED = Pattern.compile(
            "Returned start-up memory to the kernel: resident (\\d+) -> (\\d+) KiB \\((\\d+) file mappings\\)");

    @BeforeAll
    void noService() throws IOException {
        Service.reset(EXIT);
    }

    @AfterAll
    void stopService() throws IOException {
        Service.reset(EXIT);
    }

    private static int trims(String log) {
        Matcher m = TRIMMED.matcher(log);
        int n = 0;
        while (m.find()) {
            // what it frees depends on what other processes share (here: the test's own JVMs map
            // libjvm too, and the build tree is on 9p); MemoryTrimTest checks the effect itself
            assertTrue(Long.parseLong(m.group(3)) > 10, "libjvm, the JDK's modules, libdevmapper... " + m.group());
            n++;
        }
        return n;
    }

    @Test
    void quietServiceTrimsAndMonitorsOn() throws IOException {
        int logStart = Service.log().length();
        Path a = fragmentable("a.img", 4);
        long ga = Kernel.createGroup(a, false, null, "a");
        Map<String, String> env = Map.of("DMFILEMAPD_TRIM", "2");
        try (DaemonProcess d = DaemonProcess.startInService(a, ga, "inode", false, 0, env)) {
            assertEquals(0, d.awaitExit(START), d.log());
        }
        Service.awaitMonitored(a, ga, START);
        Kernel.await("a trim 2 s after the start", EXIT, () -> trims(Service.log().substring(logStart)) == 1);
        // the monitor still follows its file, with the pages it needs read back
        sh("fallocate -o 4M -l 4M " + a);
        Kernel.awaitInSync(a, ga, SYNC);

        // a hand-over re-arms it: one more trim, after it
        Path b = fragmentable("b.img", 4);
        long gb = Kernel.createGroup(b, false, null, "b");
        try (DaemonProcess d = DaemonProcess.startInService(b, gb, "path", false, 0)) {
            assertEquals(0, d.awaitExit(START), d.log());
        }
        Service.awaitMonitored(b, gb, START);
        Kernel.await("a second trim after the hand-over", EXIT, () -> trims(Service.log().substring(logStart)) == 2);
        sh("fallocate -o 4M -l 4M " + b + " && fallocate -o 8M -l 4M " + a);
        Kernel.awaitInSync(b, gb, SYNC);
        Kernel.awaitInSync(a, ga, SYNC);
        assertEquals(2, Service.status().size());
        assertTrue(Files.exists(Path.of("/proc/" + Service.pid().orElseThrow())), "the same service throughout");
    }
}
