package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.dmfilemapd.jni.Region;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The background daemon under jsvc, started through the real command: detaching (D1, D2),
 * start failures reported to the caller, one daemon per group, stop by pidfile and by
 * signal, SIGHUP, and the exits that depend on jsvc's controller not being "another holder".
 */
class JsvcDaemonTest extends OnDmDevice {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration HUP = Duration.ofSeconds(120);
    private long daemon = -1;
    private Path pidfile;

    @AfterEach
    void killDaemon() throws IOException {
        if (daemon > 0 && Files.exists(Path.of("/proc/" + daemon))) {
            long controller = Jsvc.ppid(daemon);
            Sh.run("kill -KILL " + controller + " " + daemon + " 2>/dev/null || true");
            Jsvc.awaitGone(daemon, EXIT);
            // jsvc cannot remove its pidfile after SIGKILL; the next test's device may get the
            // same device number and group id
            Files.deleteIfExists(pidfile);
        }
    }

    private DaemonProcess launch(Path f, long g, String mode, int verbose, String extra) throws IOException {
        DaemonProcess launcher = DaemonProcess.startRaw("3 " + g + " " + Sh.q(f.toString()) + " " + mode + " 0 "
                + verbose + " 3<" + Sh.q(f.toString()) + extra);
        assertEquals(0, launcher.awaitExit(START), launcher.log());
        daemon = Jsvc.awaitDaemon(f, g, EXIT);
        pidfile = Jsvc.pidfile(f, g);
        return launcher;
    }

    // D1: returns once monitoring; new session, cwd /, stdio on /dev/null, no stray fds
    @Test
    void backgroundStartDetachesUnderJsvc() throws IOException {
        Path f = fragmentable("bg", 8);
        long g = Kernel.createGroup(f, false, null, "bg");
        DaemonProcess launcher = launch(f, g, "inode", 0, " 4</etc/passwd");
        assertEquals("", launcher.log(), "a quiet start prints nothing");
        long controller = Jsvc.ppid(daemon);
        assertTrue(Files.readString(Path.of("/proc/" + controller + "/cmdline")).startsWith("dmfilemapd"),
                "jsvc -procname dmfilemapd");
        assertEquals(controller, Jsvc.sid(daemon), "jsvc's controller leads a session of its own");
        assertNotEquals(Jsvc.sid(ProcessHandle.current().pid()), Jsvc.sid(daemon));
        assertEquals("/", Jsvc.link(daemon, "cwd"));
        for (int fd = 0; fd <= 2; fd++) {
            assertEquals("/dev/null", Jsvc.link(daemon, "fd/" + fd), "fd " + fd);
        }
        assertFalse(Jsvc.holdsFile(daemon, "/etc/passwd"), "the caller's fd 4 leaked into the daemon");
        assertFalse(Jsvc.holdsFile(controller, "/etc/passwd"), "the caller's fd 4 leaked into jsvc");
        assertTrue(Jsvc.holdsFile(daemon, f.toString()));

        sh("fallocate -o 64M -l 8M " + f);
        Kernel.awaitInSync(f, g, SYNC);
        Kernel.deleteGroup(f, g, true);
        Jsvc.awaitGone(daemon, EXIT);
        Jsvc.awaitGone(controller, EXIT);
        assertFalse(Files.exists(Jsvc.pidfile(f, g)), "jsvc removes the pidfile");
    }

    // D2: verbose keeps the caller's stdout/stderr: the start line, then the pid
    @Test
    void verboseBackgroundStartSaysWhatItStarted() throws IOException {
        Path f = fragmentable("loud", 8);
        long g = Kernel.createGroup(f, false, null, "loud");
        DaemonProcess launcher = launch(f, g, "inode", 1, "");
        assertEquals("Starting dmfilemapd with fd=3, group_id=" + g + " mode=inode, path=\"" + f + "\"\n",
                launcher.stdout());
        assertEquals("Started dmfilemapd with pid=" + daemon + "\n", launcher.stderr());
        Kernel.deleteGroup(f, g, true);
        Jsvc.awaitGone(daemon, EXIT);
        launcher.awaitLog("Filemap group removed: exiting.", EXIT);
    }

    // the original returns 0 for all of these and fails (or crashes) out of sight
    @Test
    void failedStartsAreReportedToTheCaller() throws IOException {
        Path f = fragmentable("bad", 8);
        long g = Kernel.createGroup(f, false, null, "bad");
        String q = Sh.q(f.toString());
        String[][] cases = {
            {"5 " + g + " " + q + " inode 0 0 3<" + q, "file descriptor is not open"},
            {"3 " + (g + 9) + " " + q + " inode 0 0 3<" + q, "no such group on device"},
            {"3 " + g + " /etc/passwd inode 0 0 3</etc/passwd", "not on a device-mapper device"},
        };
        for (String[] c : cases) {
            try (DaemonProcess d = DaemonProcess.startRaw(c[0])) {
                assertEquals(1, d.awaitExit(START), c[0] + "\n" + d.log());
                assertTrue(d.stderr().contains(c[1]), d.stderr());
            }
        }
        assertFalse(Files.exists(Jsvc.pidfile(f, g)));
    }

    // one daemon per group: the second start is refused with the first one's pid
    @Test
    void aSecondStartForTheSameGroupIsRefused() throws IOException {
        Path f = fragmentable("twice", 8);
        long g = Kernel.createGroup(f, false, null, "twice");
        launch(f, g, "inode", 0, "");
        try (DaemonProcess second = DaemonProcess.startRaw("3 " + g + " " + f + " inode 0 0 3<" + f)) {
            assertEquals(1, second.awaitExit(START));
            assertTrue(second.stderr().contains("is already monitored by pid " + daemon), second.stderr());
        }
    }

    // P13: two starts at once: exactly one daemon; the lock, not a check, decides
    @Test
    void simultaneousStartsGiveOneDaemon() throws IOException {
        Path f = fragmentable("race", 8);
        long g = Kernel.createGroup(f, false, null, "race");
        String cmd = "3 " + g + " " + f + " inode 0 0 3<" + f;
        try (DaemonProcess a = DaemonProcess.startRaw(cmd); DaemonProcess b = DaemonProcess.startRaw(cmd)) {
            int sa = a.awaitExit(START);
            int sb = b.awaitExit(START);
            assertEquals(1, sa + sb, "one start succeeds, one fails:\n" + a.log() + "\n--\n" + b.log());
            daemon = Jsvc.awaitDaemon(f, g, EXIT);
            pidfile = Jsvc.pidfile(f, g);
            String loser = (sa == 1 ? a : b).stderr();
            assertTrue(loser.contains("already monitored by pid") || loser.contains("Still running"), loser);
        }
        // ([D]: the pattern must not match the shell that runs pgrep)
        String count = "pgrep -c -f '[D]mfilemapdDaemon 3 " + g + " " + f + " ' || true";
        Kernel.await("one jsvc controller and one JVM", EXIT, () -> Sh.run(count).trim().equals("2"));
    }

    // foreground daemons take the same lock
    @Test
    void aSecondForegroundMonitorOfTheGroupIsRefused() throws IOException {
        Path f = fragmentable("fg2", 8);
        long g = Kernel.createGroup(f, false, null, "fg2");
        try (DaemonProcess first = DaemonProcess.start(f, g, "inode", true, 2).awaitWatching();
                DaemonProcess second = DaemonProcess.start(f, g, "path", true, 0)) {
            assertEquals(1, second.awaitExit(START));
            assertTrue(second.stderr().contains("is already monitored by pid " + first.pid()), second.stderr());
            assertTrue(first.alive());
        }
    }

    @Test
    void jsvcStopByPidfileKeepsTheRegions() throws IOException {
        Path f = fragmentable("stop", 8);
        long g = Kernel.createGroup(f, false, null, "stop");
        DaemonProcess launcher = launch(f, g, "inode", 1, "");
        List<Region> before = Kernel.group(f, g);
        String stdoutBefore = launcher.stdout();
        Sh.run("/usr/bin/jsvc -stop -pidfile " + Jsvc.pidfile(f, g) + " org.dmfilemapd.service.DmfilemapdDaemon");
        Jsvc.awaitGone(daemon, EXIT);
        assertEquals(before, Kernel.group(f, g));
        assertEquals(stdoutBefore, launcher.stdout(), "nothing is printed to stdout on stop");
    }

    @Test
    void sigtermAndSigintStopCleanly() throws IOException {
        for (String sig : new String[] {"TERM", "INT"}) {
            Path f = fragmentable("sig" + sig, 8);
            long g = Kernel.createGroup(f, false, null, "sig" + sig);
            launch(f, g, "path", 0, "");
            long controller = Jsvc.ppid(daemon);
            List<Region> before = Kernel.group(f, g);
            Sh.run("kill -" + sig + " " + daemon);
            Jsvc.awaitGone(daemon, EXIT);
            Jsvc.awaitGone(controller, EXIT);
            assertEquals(before, Kernel.group(f, g));
            assertFalse(Files.exists(Jsvc.pidfile(f, g)));
        }
    }

    // SIGHUP under jsvc: the JVM exits 123 and jsvc's controller starts a new one (after up
    // to 60 s), which inherits the fd from the controller and monitors again
    @Test
    void sighupRestartsTheJvmWhichMonitorsAgain() throws IOException {
        Path f = fragmentable("hup", 8);
        long g = Kernel.createGroup(f, false, null, "hup");
        launch(f, g, "inode", 0, "");
        long first = daemon; // (same group, same pidfile after the restart)
        long controller = Jsvc.ppid(first);
        Sh.run("kill -HUP " + first);
        Jsvc.awaitGone(first, EXIT);
        Kernel.await("a new JVM under the same controller", HUP, () -> {
            try {
                long pid = Jsvc.awaitDaemon(f, g, Duration.ofMillis(50));
                daemon = pid;
                return pid != first && Jsvc.ppid(pid) == controller;
            } catch (IOException | AssertionError e) {
                return false;
            }
        });
        sh("fallocate -o 64M -l 8M " + f);
        Kernel.awaitInSync(f, g, START); // the new JVM may still be starting
    }

    // inode mode: unlink is seen through the link count; jsvc's copy of the fd is not "another holder"
    @Test
    void unlinkEndsTheJsvcDaemon() throws IOException {
        Path f = fragmentable("unlink", 8);
        long g = Kernel.createGroup(f, false, null, "unlink");
        launch(f, g, "inode", 0, "");
        long controller = Jsvc.ppid(daemon);
        Path pidfile = Jsvc.pidfile(f, g);
        Files.delete(f);
        Jsvc.awaitGone(daemon, EXIT);
        Jsvc.awaitGone(controller, EXIT);
        assertFalse(Files.exists(pidfile));
    }

    // path mode: deletion is seen without IN_DELETE_SELF (jsvc's copy keeps the inode alive)
    @Test
    void pathDeletionEndsTheJsvcDaemon() throws IOException {
        Path f = fragmentable("pathdel", 8);
        long g = Kernel.createGroup(f, false, null, "pathdel");
        launch(f, g, "path", 0, "");
        long controller = Jsvc.ppid(daemon);
        Files.delete(f);
        Jsvc.awaitGone(daemon, EXIT);
        Jsvc.awaitGone(controller, EXIT);
    }
}
