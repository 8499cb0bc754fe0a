package org.dmfilemapd.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datagrams to a real AF_UNIX datagram socket, as systemd's manager would receive them: a
 * receiver in python3 (Java has no datagram AF_UNIX sockets) binds a path or an abstract name
 * and prints what arrives.
 */
class SystemdNotifyTest {
    private static final String RECEIVER = String.join("\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
            "a = sys.argv[1]",
            "s.bind('\\0' + a[1:] if a.startswith('@') else a)",
            "print('bound', flush=True)",
            "s.settimeout(30)",
            "print(s.recv(4096).decode().replace('\\n', '|'), flush=True)");

    @TempDir
    Path dir;

    private static String roundTrip(String address, String state) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", RECEIVER, address).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("bound", r.readLine());
            assertEquals(0, SystemdNotify.of(address).send(state));
            String got = r.readLine();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            return got;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sendsOneDatagramToAPathSocket() throws Exception {
        assertEquals("READY=1|STATUS=Monitoring 2 files",
                roundTrip(dir.resolve("notify").toString(), "READY=1\nSTATUS=Monitoring 2 files"));
    }

    @Test
    void sendsToAnAbstractSocket() throws Exception {
        assertEquals("STOPPING=1", roundTrip("@dmfilemapd-test-" + ProcessHandle.current().pid(), "STOPPING=1"));
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        assertFalse(SystemdNotify.of(null).enabled());
        assertFalse(SystemdNotify.of("").enabled());
        assertEquals(0, SystemdNotify.of(null).ready("x"));
    }

    @Test
    void failuresComeBackAsErrno() {
        assertEquals(-2, SystemdNotify.of(dir.resolve("nobody").toString()).send("READY=1"), "ENOENT");
        assertEquals(-22, SystemdNotify.of("relative/path").send("READY=1"), "EINVAL");
        assertEquals(-22, SystemdNotify.of("/" + "x".repeat(200)).send("READY=1"), "EINVAL: too long");
    }
}
