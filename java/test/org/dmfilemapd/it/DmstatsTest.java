package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stock {@code dmstats} (Debian's) with our {@code dmfilemapd} first on PATH: it starts our
 * daemon exactly as it would start the original.
 */
class DmstatsTest extends OnDmDevice {
    private static final Duration START = Duration.ofSeconds(60);
    private long daemon = -1;

    @AfterEach
    void killDaemon() throws IOException {
        if (daemon > 0) {
            Sh.run("kill -KILL $(ps -o ppid= " + daemon + ") " + daemon + " 2>/dev/null || true");
            Jsvc.awaitGone(daemon, EXIT);
        }
    }

    private static DaemonProcess dmstats(String args) throws IOException {
        return DaemonProcess.shell("exec dmstats " + args);
    }

    // F1 + F3 through dmstats: create starts our daemon, growth is followed, delete ends it
    @Test
    void createFilemapStartsOurDaemonAndDeleteEndsIt() throws IOException {
        Path f = fragmentable("vm.img", 16);
        DaemonProcess create = dmstats("create --filemap " + f);
        assertEquals(0, create.awaitExit(START), create.log());
        assertEquals(f + ": Created new group with 1 region(s) as group ID 0.\n", create.stdout());
        daemon = Jsvc.awaitDaemon(f, 0, START);
        sh("fallocate -o 64M -l 8M " + f);
        Kernel.awaitInSync(f, 0, SYNC);
        DaemonProcess delete = dmstats("delete --groupid 0 " + dev.mapper);
        assertEquals(0, delete.awaitExit(START), delete.log());
        Jsvc.awaitGone(daemon, EXIT);
    }

    // F16: libdm's own update (no daemon involved)
    @Test
    void updateFilemapNomonitorUpdatesTheGroup() throws IOException {
        Path f = fragmentable("upd", 8);
        long g = Kernel.createGroup(f, false, null, "upd");
        sh("fallocate -o 64M -l 8M " + f);
        DaemonProcess update = dmstats("update_filemap " + f + " --groupid " + g + " --nomonitor");
        assertEquals(0, update.awaitExit(START), update.log());
        assertEquals(f + ": Updated group ID " + g + " with 2 region(s).\n", update.stdout());
        assertTrue(Kernel.inSync(f, g));
    }

    // F17 (improved): update_filemap starts our daemon, which reconciles at once
    @Test
    void updateFilemapStartsADaemonThatReconciles() throws IOException {
        Path f = fragmentable("mon", 8);
        long g = Kernel.createGroup(f, false, null, "mon");
        sh("fallocate -o 64M -l 8M " + f);
        DaemonProcess update = dmstats("update_filemap " + f + " --groupid " + g);
        assertEquals(0, update.awaitExit(START), update.log());
        assertEquals("", update.stdout());
        daemon = Jsvc.awaitDaemon(f, g, START);
        Kernel.awaitInSync(f, g, SYNC);
    }

    // F18: dmstats' own quirk, unchanged by us
    @Test
    void nogroupWithoutNomonitorFails() throws IOException {
        Path f = fragmentable("nogroup", 8);
        DaemonProcess create = dmstats("create --filemap --nogroup " + f);
        assertEquals(1, create.awaitExit(START));
        assertTrue(create.stderr().contains("Command failed."), create.stderr());
        assertTrue(Kernel.allRegions(f).isEmpty());
    }

    // --foreground: dmstats execs the daemon in its own place; it returns with the daemon's status
    @Test
    void foregroundReplacesDmstats() throws IOException {
        Path f = fragmentable("fg", 8);
        try (DaemonProcess create = dmstats("create --filemap --foreground -vv " + f)) {
            create.awaitWatching();
            assertTrue(Jsvc.link(create.pid(), "exe").contains("java"), "dmstats became the daemon");
            sh("fallocate -o 64M -l 8M " + f);
            Kernel.awaitInSync(f, 0, SYNC);
            Kernel.deleteGroup(f, 0, true);
            assertEquals(0, create.awaitExit(EXIT));
        }
    }

    // --follow path: a replacement is followed
    @Test
    void followPathFollowsAReplacement() throws IOException {
        Path f = fragmentable("p.img", 8);
        DaemonProcess create = dmstats("create --filemap --follow path " + f);
        assertEquals(0, create.awaitExit(START), create.log());
        daemon = Jsvc.awaitDaemon(f, 0, START);
        String cmdline = java.nio.file.Files.readString(Path.of("/proc/" + daemon + "/cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains(" path 0 0"), cmdline);
        Path tmp = dev.file("p.new");
        sh("fallocate -l 12M " + tmp + " && mv " + tmp + " " + f);
        Kernel.awaitInSync(f, 0, SYNC);
    }

    // -v: the daemon runs with dmstats' verbosity and says what it started
    @Test
    void verboseDmstatsShowsTheDaemonsPid() throws IOException {
        Path f = fragmentable("v.img", 8);
        DaemonProcess create = dmstats("create --filemap -v " + f);
        assertEquals(0, create.awaitExit(START), create.log());
        daemon = Jsvc.awaitDaemon(f, 0, START);
        // dmstats does not wait for its child, the command, which says this later
        Kernel.await("the command's pid line", EXIT,
                () -> create.stderr().contains("Started dmfilemapd with pid=" + daemon));
        assertTrue(create.stdout().contains("Starting dmfilemapd with fd="), create.stdout());
    }
}
