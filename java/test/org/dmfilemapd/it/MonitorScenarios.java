package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.Region;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The original's acceptance scenarios (spec 6.3) against a real device-mapper device, run
 * once per filesystem by the subclasses. Each test starts from a device with no regions.
 */
abstract class MonitorScenarios extends OnDmDevice {
    private DaemonProcess daemon;
    private Process holder;

    @AfterEach
    void stopAll() {
        if (daemon != null) {
            daemon.close();
        }
        if (holder != null) {
            holder.destroyForcibly();
        }
    }

    DaemonProcess daemon(Path file, long groupId, String mode) throws IOException {
        daemon = DaemonProcess.start(file, groupId, mode, true, 2).awaitWatching();
        return daemon;
    }

    // F3: new, non-contiguous allocation becomes new members with the leader's exact settings
    @Test
    void growthAddsRegionsWithTheLeadersSettings() throws IOException {
        Path f = fragmentable("grow", 16);
        long[] bounds = {1 * MS, 5 * MS, 10 * MS};
        long g = Kernel.createGroup(f, true, bounds, "grow");
        assertEquals(0, g);
        daemon(f, g, "inode");
        sh("fallocate -o 64M -l 8M " + f);
        Kernel.awaitInSync(f, g, SYNC);
        List<Region> members = Kernel.group(f, g);
        assertEquals(2, members.size());
        try (DmStats stats = Kernel.handleFor(f)) {
            for (Region r : members) {
                assertEquals("dmstats", stats.regionProgramId(r.id()), "program id of region " + r.id());
                assertTrue(stats.regionPrecise(r.id()), "precise_timestamps of region " + r.id());
                assertArrayEquals(bounds, stats.regionHistogramBounds(r.id()), "bounds of region " + r.id());
            }
            assertEquals("grow", stats.groupAlias(g));
        }
        assertTrue(daemon.alive());
    }

    // P16: a defragmenter moves the extents, the block count stays, no inotify event comes
    @Test
    void defragmentationIsFollowed() throws IOException {
        Path f = dev.file("frag");
        StringBuilder interleave = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            interleave.append("fallocate -o ").append(i).append("M -l 1M ").append(f).append(" && fallocate -o ")
                    .append(i).append("M -l 1M ").append(dev.file("gap")).append(" && sync && ");
        }
        sh(interleave + "dd if=/dev/urandom of=" + f + " bs=1M count=8 conv=notrunc status=none && sync");
        sh("rm " + dev.file("gap") + " && sync");
        long g = Kernel.createGroup(f, false, null, "frag");
        assertTrue(Kernel.group(f, g).size() >= 4, "the file is fragmented: " + Kernel.group(f, g));
        long blocks = Long.parseLong(Sh.run("stat -c %b " + f).trim());
        int regionsBefore = Kernel.group(f, g).size();
        daemon(f, g, "inode");
        sh(fs().defrag + " " + f + " >/dev/null");
        if (fs() == Fs.XFS) {
            // (e4defrag also frees extent-tree blocks, which ext4 counts in st_blocks)
            assertEquals(blocks, Long.parseLong(Sh.run("stat -c %b " + f).trim()), "same block count");
        }
        assertTrue(Kernel.extents(f).size() < regionsBefore, "the defragmenter moved extents: "
                + Kernel.extents(f));
        try {
            Kernel.awaitInSync(f, g, Duration.ofSeconds(20));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\ndaemon log:\n" + daemon.log(), e);
        }
        assertTrue(daemon.alive());
    }

    // P16: punch a hole and fill it again: same block count, the daemon maps what is there
    @Test
    void punchAndRefillIsFollowed() throws IOException {
        Path f = fragmentable("punch", 8);
        long g = Kernel.createGroup(f, false, null, "punch");
        daemon(f, g, "inode");
        sh("fallocate -p -o 2M -l 2M " + f + " && fallocate -l 2M " + dev.file("filler") + " && fallocate -o 2M -l 2M "
                + f + " && sync");
        Kernel.awaitInSync(f, g, SYNC);
        assertTrue(daemon.alive());
    }

    // P14: path mode refuses a replacement on another device (its offsets mean nothing here)
    @Test
    void pathModeRefusesAReplacementOnAnotherDevice() throws IOException {
        sh("mkdir -p " + dev.file("sub"));
        Path f = dev.file("sub/img");
        sh("fallocate -l 8M " + f);
        long g = Kernel.createGroup(f, false, null, "img");
        DaemonProcess d = daemon(f, g, "path");
        try (DmDevice other = new DmDevice(fs())) {
            sh("fallocate -l 8M " + other.file("img") + " && mount --bind " + other.mount + " " + dev.file("sub"));
            try {
                assertEquals(1, d.awaitExit(EXIT));
                assertTrue(d.log().contains("Replacement file \"" + f + "\" is on device"), d.log());
            } finally {
                sh("umount " + dev.file("sub"));
            }
        }
    }

    // F4: writing over allocated blocks changes nothing
    @Test
    void overwriteInPlaceKeepsRegions() throws IOException {
        Path f = fragmentable("over", 8);
        long g = Kernel.createGroup(f, false, null, "over");
        List<Region> before = Kernel.group(f, g);
        daemon(f, g, "inode");
        sh("dd if=/dev/urandom of=" + f + " bs=1M count=4 conv=notrunc status=none && sync");
        // the write is seen and mapped; the regions must be the same ones (ids and counters kept)
        Kernel.awaitInSync(f, g, SYNC);
        assertEquals(before, Kernel.group(f, g));
        assertTrue(daemon.alive());
    }

    // F5: truncated to nothing: regions deleted, exit 0 (Debian libdm's behaviour, on every version)
    @Test
    void truncateToZeroDeletesTheGroupAndExits() throws IOException {
        Path f = fragmentable("trunc", 8);
        long g = Kernel.createGroup(f, false, null, "trunc");
        DaemonProcess d = daemon(f, g, "inode");
        sh("truncate -s 0 " + f);
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.log().contains("File contains no extents: exiting."), d.log());
        assertTrue(Kernel.group(f, g).isEmpty());
    }

    // F1
    @Test
    void groupDeletedEndsTheDaemon() throws IOException {
        Path f = fragmentable("del", 8);
        long g = Kernel.createGroup(f, false, null, "del");
        DaemonProcess d = daemon(f, g, "inode");
        Kernel.deleteGroup(f, g, true);
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.log().contains("Filemap group removed: exiting."), d.log());
    }

    // F2
    @Test
    void ungroupEndsTheDaemonAndKeepsRegions() throws IOException {
        Path f = fragmentable("ungroup", 8);
        long g = Kernel.createGroup(f, false, null, "ungroup");
        DaemonProcess d = daemon(f, g, "path");
        Kernel.deleteGroup(f, g, false);
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.log().contains("Filemap group removed: exiting."), d.log());
        assertEquals(1, Kernel.allRegions(f).size());
    }

    // F6: inode mode follows a rename
    @Test
    void inodeModeFollowsRename() throws IOException {
        Path f = fragmentable("before", 8);
        long g = Kernel.createGroup(f, false, null, "before");
        daemon(f, g, "inode");
        Path moved = dev.file("after");
        sh("mkdir -p " + dev.mount + "/sub && mv " + f + " " + dev.file("sub/after") + " && mv "
                + dev.file("sub/after") + " " + moved);
        sh("fallocate -o 32M -l 8M " + moved);
        Kernel.awaitInSync(moved, g, SYNC);
        assertTrue(daemon.alive());
    }

    // F7 (fixed): unlinked while another process holds it: keep going until the last close
    @Test
    void inodeModeKeepsRunningWhileAnotherProcessHoldsTheUnlinkedFile() throws IOException {
        Path f = fragmentable("held", 8);
        long g = Kernel.createGroup(f, false, null, "held");
        DaemonProcess d = daemon(f, g, "inode");
        holder = new ProcessBuilder("bash", "-c", "exec sleep 600 3<" + Sh.q(f.toString())).start();
        // the link's target, not its existence: before bash runs, fd 3 is jspawnhelper's pipe
        Path held = Path.of("/proc/" + holder.pid() + "/fd/3");
        Kernel.await("holder has the file open", Duration.ofSeconds(30), () -> {
            try {
                return Files.readSymbolicLink(held).equals(f);
            } catch (IOException e) {
                return false;
            }
        });
        Files.delete(f);
        d.awaitLog("File unlinked and open: continuing.", EXIT);
        assertTrue(d.alive());
        holder.destroyForcibly();
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.log().contains("File unlinked and closed: exiting."), d.log());
    }

    // F8
    @Test
    void inodeModeExitsWhenUnlinkedAndClosed() throws IOException {
        Path f = fragmentable("gone", 8);
        long g = Kernel.createGroup(f, false, null, "gone");
        DaemonProcess d = daemon(f, g, "inode");
        Files.delete(f);
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.log().contains("File unlinked and closed: exiting."), d.log());
    }

    // F9 (improved): path mode maps a file renamed over the path at once
    @Test
    void pathModeFollowsAReplacement() throws IOException {
        Path f = fragmentable("img", 8);
        long g = Kernel.createGroup(f, false, null, "img");
        daemon(f, g, "path");
        Path tmp = dev.file("img.new");
        sh("fallocate -l 12M " + tmp + " && mv " + tmp + " " + f);
        Kernel.awaitInSync(f, g, SYNC);
        sh("fallocate -o 40M -l 4M " + f);
        Kernel.awaitInSync(f, g, SYNC);
        assertTrue(daemon.alive());
    }

    // F10
    @Test
    void pathModeExitsOneWhenThePathStaysGone() throws IOException {
        Path f = fragmentable("vanish", 8);
        long g = Kernel.createGroup(f, false, null, "vanish");
        DaemonProcess d = daemon(f, g, "path");
        Files.delete(f);
        assertEquals(1, d.awaitExit(EXIT));
        assertTrue(d.log().contains("Could not re-open file descriptor."), d.log());
    }

    // F11 (fixed): one inotify instance for the whole life, however often the path is replaced
    @Test
    void pathModeDoesNotLeakInotifyInstances() throws IOException {
        Path f = fragmentable("leak", 4);
        long g = Kernel.createGroup(f, false, null, "leak");
        DaemonProcess d = daemon(f, g, "path");
        for (int i = 0; i < 5; i++) {
            Path tmp = dev.file("leak.new");
            sh("fallocate -l " + (5 + i) + "M " + tmp + " && mv " + tmp + " " + f);
            Kernel.awaitInSync(f, g, SYNC);
        }
        assertEquals(1, inotifyInstances(d.pid()));
        assertTrue(d.alive());
    }

    // F12: the leader's extent grows in place (group 0): regroup, the group keeps id 0
    @Test
    void leaderExtentChangeInGroupZeroKeepsTheGroupId() throws IOException {
        Path f = dev.file("single");
        sh("fallocate -l 8M " + f + " && sync");
        long g = Kernel.createGroup(f, false, null, "single");
        assertEquals(0, g);
        daemon(f, g, "inode");
        sh("fallocate -o 8M -l 8M " + f);
        Kernel.awaitInSync(f, 0, SYNC);
        assertTrue(daemon.alive());
    }

    // F13 (fixed, libdm crashes here): the leader's extent changes in a group other than 0
    @Test
    void leaderExtentChangeInAnotherGroupDoesNotCrash() throws IOException {
        Path a = fragmentable("a", 8);
        long ga = Kernel.createGroup(a, false, null, "a");
        Path b = dev.file("b");
        sh("fallocate -l 8M " + b + " && sync");
        long gb = Kernel.createGroup(b, false, null, "b");
        assertTrue(gb > ga);
        List<Region> groupA = Kernel.group(a, ga);
        daemon(b, gb, "inode");
        sh("fallocate -o 8M -l 8M " + b);
        Kernel.awaitInSync(b, gb, SYNC);
        assertTrue(daemon.alive());
        assertEquals(groupA, Kernel.group(a, ga), "the other group was touched");
    }

    // F14 (fixed): a new region gets an id below the leader: the group moves, the daemon follows
    @Test
    void newRegionBelowTheLeaderMovesTheGroupAndTheDaemonFollows() throws IOException {
        Path a = fragmentable("first", 8);
        long ga = Kernel.createGroup(a, false, null, "first");
        Path b = fragmentable("second", 8);
        long gb = Kernel.createGroup(b, false, null, "second");
        Kernel.deleteGroup(a, ga, true);
        DaemonProcess d = daemon(b, gb, "inode");
        sh("fallocate -o 64M -l 4M " + b);
        d.awaitLog("group_id changed from " + gb + " to " + ga, SYNC);
        Kernel.awaitInSync(b, ga, SYNC);
        Kernel.deleteGroup(b, ga, true);
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.log().contains("Filemap group removed: exiting."), d.log());
    }

    // F19 (fixed): no regions at all, or no such group: a clear error, status 1, nothing touched
    @Test
    void startOnAMissingGroupFailsClearly() throws IOException {
        Path f = fragmentable("none", 4);
        try (DaemonProcess d = DaemonProcess.start(f, 0, "inode", true, 0)) {
            assertEquals(1, d.awaitExit(EXIT));
            assertTrue(d.log().contains("no such group on device") && d.log().contains("no stats regions"),
                    d.log());
        }
        long g = Kernel.createGroup(f, false, null, "none");
        List<Region> before = Kernel.allRegions(f);
        try (DaemonProcess d = DaemonProcess.start(f, g + 7, "inode", false, 0)) {
            assertEquals(1, d.awaitExit(EXIT));
            assertTrue(d.log().contains("group_id=" + (g + 7) + ": no such group on device"), d.log());
        }
        assertEquals(before, Kernel.allRegions(f));
    }

    // D3 + D4: foreground runs in the calling process; SIGTERM ends it cleanly (0, where the
    // original dies with 143) and the regions stay
    @Test
    void foregroundRunsInPlaceAndSigtermKeepsRegions() throws IOException {
        Path f = fragmentable("fg", 8);
        long g = Kernel.createGroup(f, false, null, "fg");
        List<Region> before = Kernel.group(f, g);
        DaemonProcess d = daemon(f, g, "inode");
        String cmdline = Files.readString(Path.of("/proc/" + d.pid() + "/cmdline"));
        assertTrue(cmdline.contains("org.dmfilemapd.Main"), "the exec'd process is the daemon: " + cmdline);
        Sh.run("kill -TERM " + d.pid());
        assertEquals(0, d.awaitExit(EXIT));
        assertEquals(before, Kernel.group(f, g));
    }

    @Test
    void foregroundSigintStopsCleanly() throws IOException {
        Path f = fragmentable("int", 8);
        long g = Kernel.createGroup(f, false, null, "int");
        List<Region> before = Kernel.group(f, g);
        DaemonProcess d = daemon(f, g, "path");
        Sh.run("kill -INT " + d.pid());
        assertEquals(0, d.awaitExit(EXIT));
        assertEquals(before, Kernel.group(f, g));
    }

    static long inotifyInstances(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().equals("anon_inode:inotify");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }
}
