package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.dmfilemapd.domain.Mode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stock {@code dmstats} (Debian's) with our {@code dmfilemapd} first on PATH, in the default
 * mode: it starts monitoring through our command exactly as it would start the original, and
 * the command hands the file to the dmfilemapd service.
 */
class DmstatsTest extends OnDmDevice {
    private static final Duration START = Duration.ofSeconds(90);

    @BeforeAll
    void freshService() throws IOException {
        Service.reset(EXIT);
    }

    // the next test reuses group ids on this device: no monitor of this one may outlive it
    @AfterEach
    void forgetEverything() {
        Service.forgetAll();
    }

    @AfterAll
    void stopService() throws IOException {
        Service.reset(EXIT);
    }

    private static DaemonProcess dmstats(String args) throws IOException {
        return DaemonProcess.shell("exec dmstats " + args, true);
    }

    // F1 + F3 through dmstats: create starts monitoring, growth is followed, delete ends it
    @Test
    void createFilemapStartsMonitoringAndDeleteEndsIt() throws IOException {
        Path f = fragmentable("vm.img", 16);
        DaemonProcess create = dmstats("create --filemap " + f);
        assertEquals(0, create.awaitExit(START), create.log());
        assertEquals(f + ": Created new group with 1 region(s) as group ID 0.\n", create.stdout());
        Service.awaitMonitored(f, 0, START);
        sh("fallocate -o 64M -l 8M " + f);
        Kernel.awaitInSync(f, 0, SYNC);
        DaemonProcess delete = dmstats("delete --groupid 0 " + dev.mapper);
        assertEquals(0, delete.awaitExit(START), delete.log());
        Service.awaitNotMonitored(f, 0, EXIT);
        assertTrue(Service.pid().isPresent(), "the service stays for other files");
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
        assertTrue(!Service.monitors(f, g), "--nomonitor hands nothing over");
    }

    // F17 (improved): update_filemap hands the file over; the service reconciles at once
    @Test
    void updateFilemapHandsOverAndTheServiceReconciles() throws IOException {
        Path f = fragmentable("mon", 8);
        long g = Kernel.createGroup(f, false, null, "mon");
        sh("fallocate -o 64M -l 8M " + f);
        DaemonProcess update = dmstats("update_filemap " + f + " --groupid " + g);
        assertEquals(0, update.awaitExit(START), update.log());
        assertEquals("", update.stdout());
        Service.awaitMonitored(f, g, START);
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

    // --foreground: dmstats execs our command in its own place, which waits for the file's
    // monitor in the service and returns with its status
    @Test
    void foregroundReplacesDmstatsAndReturnsTheMonitorsStatus() throws IOException {
        Path f = fragmentable("fg", 8);
        try (DaemonProcess create = dmstats("create --filemap --foreground -v " + f)) {
            Service.awaitMonitored(f, 0, START);
            assertTrue(Jsvc.link(create.pid(), "exe").contains("java"), "dmstats became our command");
            sh("fallocate -o 64M -l 8M " + f);
            Kernel.awaitInSync(f, 0, SYNC);
            Kernel.deleteGroup(f, 0, true);
            assertEquals(0, create.awaitExit(EXIT), create.log());
            assertTrue(create.stdout().contains("Filemap group removed: exiting."), create.log());
        }
    }

    // --follow path: the mode is passed on, and a replacement is followed
    @Test
    void followPathFollowsAReplacement() throws IOException {
        Path f = fragmentable("p.img", 8);
        DaemonProcess create = dmstats("create --filemap --follow path " + f);
        assertEquals(0, create.awaitExit(START), create.log());
        Service.awaitMonitored(f, 0, START);
        assertEquals(Mode.PATH, Service.of(f, 0).orElseThrow().mode());
        Path tmp = dev.file("p.new");
        sh("fallocate -l 12M " + tmp + " && mv " + tmp + " " + f);
        Kernel.awaitInSync(f, 0, SYNC);
    }

    // -v: the command says what it started: the service's pid
    @Test
    void verboseDmstatsShowsTheServicesPid() throws IOException {
        Path f = fragmentable("v.img", 8);
        DaemonProcess create = dmstats("create --filemap -v " + f);
        assertEquals(0, create.awaitExit(START), create.log());
        Service.awaitMonitored(f, 0, START);
        long service = Service.pid().orElseThrow();
        // dmstats does not wait for its child, the command, which says this later
        Kernel.await("the command's pid line", EXIT,
                () -> create.stderr().contains("Started dmfilemapd with pid=" + service));
        assertTrue(create.stdout().contains("Starting dmfilemapd with fd="), create.stdout());
    }
}
