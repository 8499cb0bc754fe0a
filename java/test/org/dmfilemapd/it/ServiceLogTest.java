package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The log of a service the command starts under jsvc (no systemd): opened without following
 * a symlink, and rotated by the package's logrotate snippet (copytruncate) while the service
 * writes to it; jsvc's SIGUSR1 reopen keeps it writing there.
 */
class ServiceLogTest extends OnDmDevice {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Path SNIPPET = DaemonProcess.LAUNCHER.toAbsolutePath().getParent()
            .resolve("debian/dmfilemapd.logrotate");
    private Path dir;

    @BeforeAll
    void fresh() throws IOException {
        Service.reset(EXIT);
        dir = Files.createTempDirectory("dmfit-log");
    }

    @AfterAll
    void stopService() throws IOException {
        Service.reset(EXIT);
    }

    private int handOver(Path file, long group, Path log) throws IOException {
        try (DaemonProcess d = DaemonProcess.startInService(file, group, "inode", false, 0,
                Map.of("DMFILEMAPD_SERVICE_LOG", log.toString()))) {
            int status = d.awaitExit(START);
            if (status != 0) {
                System.err.println(d.log());
            }
            return status;
        }
    }

    @Test
    void aSymlinkedLogIsRefusedAndItsTargetUntouched() throws IOException {
        Path precious = Files.writeString(dir.resolve("precious"), "keep\n");
        Path log = Files.createSymbolicLink(dir.resolve("link.log"), precious);
        Path f = fragmentable("a.img", 8);
        long g = Kernel.createGroup(f, false, null, "a");
        try (DaemonProcess d = DaemonProcess.startInService(f, g, "inode", false, 0,
                Map.of("DMFILEMAPD_SERVICE_LOG", log.toString()))) {
            assertEquals(1, d.awaitExit(START), d.log());
            assertTrue(d.stderr().contains("cannot open the service's log: open(" + log + "): Too many levels of symbolic links"),
                    d.log());
        }
        assertEquals("keep\n", Files.readString(precious));
        assertTrue(Service.pid().isEmpty(), "no service started");
    }

    @Test
    void rotatedWithCopytruncateWhileTheServiceWrites() throws IOException {
        Path log = dir.resolve("dmfilemapd.log");
        Path a = fragmentable("a.img", 8);
        long ga = Kernel.createGroup(a, false, null, "a");
        assertEquals(0, handOver(a, ga, log));
        assertTrue(Files.readString(log).contains("Monitoring \"" + a + "\""), Files.readString(log));
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(log)));

        // the package's snippet, for this log
        Path conf = dir.resolve("logrotate.conf");
        Files.writeString(conf, Files.readString(SNIPPET).replace("/var/log/dmfilemapd.log", log.toString()));
        sh("logrotate -f -s " + dir.resolve("state") + " " + conf);
        assertTrue(Files.readString(dir.resolve("dmfilemapd.log.1")).contains("Monitoring \"" + a + "\""));
        assertEquals(0, Files.size(log), "truncated in place");

        Path b = fragmentable("b.img", 8);
        long gb = Kernel.createGroup(b, false, null, "b");
        assertEquals(0, handOver(b, gb, log));
        String after = Files.readString(log, StandardCharsets.ISO_8859_1);
        assertTrue(after.startsWith("Monitoring \"" + b + "\""), "appended at the new end, no hole:\n" + after);
        assertFalse(after.contains("\0"));

        // jsvc's reopen (SIGUSR1) opens the same file again: it goes on logging there
        long jvm = Service.pid().orElseThrow();
        sh("kill -USR1 " + jvm);
        Path c = fragmentable("c.img", 8);
        long gc = Kernel.createGroup(c, false, null, "c");
        assertEquals(0, handOver(c, gc, log));
        assertTrue(Files.readString(log).contains("Monitoring \"" + c + "\""), Files.readString(log));
        assertEquals(jvm, Service.pid().orElseThrow(), "the same service");
    }
}
