package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.regions.FailPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults under a running daemon (XFS): the device failing, a lazy unmount, the group removed
 * by someone else around and during an update, a stop in the middle of an update, and another
 * group changing meanwhile. Each ends in a clean exit or a recovery with a precise message,
 * and no region outside the daemon's group is created or deleted.
 */
class FaultsTest extends OnDmDevice {
    /** A file whose replacement has this many extents makes an update long enough to catch. */
    static final int LONG_UPDATE_EXTENTS = 40;

    private DaemonProcess daemon;

    @AfterEach
    void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private DaemonProcess daemon(Path file, long groupId, String mode) throws IOException {
        daemon = DaemonProcess.start(file, groupId, mode, true, 2).awaitWatching();
        return daemon;
    }

    private List<Region> bystander(DmDevice on) throws IOException {
        Path o = on.file("bystander");
        Sh.run("fallocate -l 4M " + o + " && fallocate -l 4M " + on.file("bystander.spacer") + " && sync");
        return Kernel.group(o, Kernel.createGroup(o, false, null, "bystander"));
    }

    // The device is force-removed while the daemon holds a file on it: it stays (it is open)
    // with a table that fails all I/O; XFS shuts down at its next metadata write, and the
    // daemon's next map fails: status 1, naming the file and the error. Its regions, and the
    // other group's, stay as they were (dm-stats messages still work on that device).
    @Test
    void deviceForceRemovedUnderTheDaemon() throws IOException {
        try (DmDevice own = new DmDevice(Fs.XFS)) {
            List<Region> other = bystander(own);
            Path f = own.file("doomed");
            Sh.run("fallocate -l 8M " + f + " && sync");
            long g = Kernel.createGroup(f, false, null, "doomed");
            FileStat st = own.deviceOf(f);
            DaemonProcess d = daemon(f, g, "inode");
            Sh.run("dmsetup remove --force " + own.name + " 2>/dev/null; dmsetup table " + own.name + " | grep -q error");
            // an allocating write: XFS's log write fails and it shuts down
            Sh.run("dd if=/dev/zero of=" + f + " bs=1M seek=16 count=1 conv=notrunc,fsync status=none 2>/dev/null; true");
            assertEquals(1, d.awaitExit(EXIT));
            // whichever look at the file comes first (fstat or FIEMAP) fails
            assertTrue(d.stderr().contains("\"" + f + "\": ") && d.stderr().contains("Input/output error"), d.log());
            assertTrue(d.stderr().contains("Exiting"), d.log());
            try (DmStats stats = new DmStats("dmstats")) {
                stats.bindDevno(st.devMajor(), st.devMinor());
                stats.listAll();
                List<Region> now = stats.groupRegions(g);
                assertTrue(!now.isEmpty(), "the daemon's group is still there");
                assertEquals(other, stats.groupRegions(other.get(0).groupId()), "the other group changed");
                assertEquals(now.size() + other.size(), stats.regions().size(), "stray regions");
            }
        }
    }

    // Inode mode: a lazy unmount detaches the filesystem, but the daemon's fd keeps it alive;
    // the daemon goes on monitoring (it ends as usual when the group is deleted) and lets the
    // device go then
    @Test
    void lazyUnmountInInodeModeKeepsMonitoringUntilTheGroupGoes() throws IOException {
        try (DmDevice own = new DmDevice(Fs.XFS)) {
            List<Region> other = bystander(own);
            Path f = own.file("detached");
            Sh.run("fallocate -l 8M " + f + " && sync");
            long g = Kernel.createGroup(f, false, null, "detached");
            FileStat st = own.deviceOf(f);
            DaemonProcess d = daemon(f, g, "inode");
            Sh.run("umount -l " + own.mount);
            own.forgetMount();
            try (DmStats stats = new DmStats("dmstats")) {
                stats.bindDevno(st.devMajor(), st.devMinor());
                stats.listAll();
                assertTrue(d.alive(), d.log());
                stats.deleteGroup(g, true);
            }
            assertEquals(0, d.awaitExit(EXIT));
            assertTrue(d.log().contains("Filemap group removed: exiting."), d.log());
            Kernel.await("the dm device to be unused", EXIT,
                    () -> Sh.run("dmsetup info -c --noheadings -o open " + own.name).trim().equals("0"));
            try (DmStats stats = new DmStats("dmstats")) {
                stats.bindDevno(st.devMajor(), st.devMinor());
                stats.listAll();
                assertEquals(other, stats.regions(), "only the other group is left");
            }
        }
    }

    // The group is deleted by someone else between a change and the daemon's update of it
    // (the daemon is held with SIGSTOP meanwhile, so the order is certain): the daemon ends
    // with "group removed" (0) and creates nothing for the change
    @Test
    void groupDeletedBetweenAChangeAndItsUpdate() throws IOException {
        List<Region> other = bystander(dev);
        Path f = fragmentable("contested", 8);
        long g = Kernel.createGroup(f, false, null, "contested");
        DaemonProcess d = daemon(f, g, "inode");
        Sh.run("kill -STOP " + d.pid());
        try {
            sh("fallocate -o 32M -l 4M " + f);
            Kernel.deleteGroup(f, g, true);
        } finally {
            Sh.run("kill -CONT " + d.pid());
        }
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.log().contains("Filemap group removed: exiting."), d.log());
        assertEquals(other, Kernel.allRegions(f), "only the other group is left");
    }

    // Someone deletes the group's regions while the daemon updates it, after it created the
    // new region and before it writes the group's tag: the daemon stops itself there (fail
    // point) so the order is certain. It finds its old members gone, removes the region it
    // had just created, and ends as for a removed group, status 0. No stray region is left
    // and the other group is untouched.
    @Test
    void regionsDeletedDuringAnUpdate() throws IOException {
        List<Region> other = bystander(dev);
        Path f = fragmentable("raced", 8);
        long g = Kernel.createGroup(f, false, null, "raced");
        List<Region> before = Kernel.group(f, g);
        DaemonProcess d = DaemonProcess.start(f, g, "inode", true, 2,
                Map.of("DMFILEMAPD_FAILPOINT", FailPoint.BEFORE_TAG)).awaitWatching();
        daemon = d;
        sh("fallocate -o 32M -l 4M " + f);
        Kernel.await("the daemon stopped at its fail point", SYNC, d::stopped);
        try (DmStats stats = Kernel.handleFor(f)) {
            // (untagged if the update rebuilds the group, still tagged if it changes it in place)
            assertEquals(other.size() + before.size() + 1, stats.regions().size(),
                    "the old members and the one new region: " + stats.regions());
            for (Region r : before) {
                stats.deleteRegion(r.id());
            }
        } finally {
            Sh.run("kill -CONT " + d.pid());
        }
        assertEquals(0, d.awaitExit(EXIT), d.log());
        assertTrue(d.log().contains("Filemap group removed: exiting."), d.log());
        assertTrue(d.log().contains("were deleted during the update"), d.log());
        assertEquals(other, Kernel.allRegions(f), "only the other group is left");
    }

    // Two daemons, two groups on one device, both files changed at once: each group follows
    // its own file, neither touches the other's regions. (A group is untagged while its daemon
    // rewrites it, so both are looked up by alias each time they are polled.)
    @Test
    void anotherGroupOnTheDeviceChangingMeanwhile() throws IOException {
        Path a = fragmentable("one", 8);
        long ga = Kernel.createGroup(a, false, null, "one");
        Path b = fragmentable("two", 8);
        long gb = Kernel.createGroup(b, false, null, "two");
        DaemonProcess da = daemon(a, ga, "inode");
        DaemonProcess db = DaemonProcess.start(b, gb, "path", true, 2).awaitWatching();
        try {
            for (int i = 0; i < 3; i++) {
                sh("fallocate -o " + (32 + 8 * i) + "M -l 4M " + a + " & fallocate -o " + (32 + 8 * i) + "M -l 4M " + b
                        + " & fallocate -p -o " + (2 + i) + "M -l 1M " + a + "; wait");
                Kernel.await("group one in sync with " + a, SYNC, () -> inSync(a, "one"));
                Kernel.await("group two in sync with " + b, SYNC, () -> inSync(b, "two"));
                assertTrue(da.alive() && db.alive(), da.log() + db.log());
            }
            // (an update writes the tag, then deletes the members it replaced: in sync comes first)
            Kernel.await("no region outside the two groups", SYNC, () -> {
                try {
                    return Kernel.extents(a).size() + Kernel.extents(b).size() == Kernel.allRegions(a).size();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            db.close();
        }
    }

    private static boolean inSync(Path file, String alias) {
        try {
            return Groups.inSync(file, alias);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // A member deleted by someone else without rewriting the group's tag (a raw dm message):
    // the tag names a region beyond the last one, which libdm's listing would write past its
    // table for (heap corruption). The shim refuses that listing: status 1 with the reason.
    @Test
    void aTagNamingADeletedLastMemberIsRefusedNotACorruption() throws IOException {
        List<Region> other = bystander(dev);
        Path f = fragmentable("dangling", 8);
        sh("fallocate -o 32M -l 4M " + f + " && sync");
        long g = Kernel.createGroup(f, false, null, "dangling");
        List<Region> members = Kernel.group(f, g);
        assertEquals(2, members.size(), "members " + members);
        long last = members.get(1).id();
        String bystanderRow = rawRow(other.get(0).id());
        DaemonProcess d = daemon(f, g, "inode");
        try {
            sh("dmsetup message " + dev.name + " 0 @stats_delete " + last);
            assertEquals(1, d.awaitExit(EXIT));
            assertTrue(d.stderr().contains("names region " + last + ", beyond the last region")
                    && d.stderr().contains("Failed to list stats handle."), d.log());
            // (our own listing would be refused too: read the kernel's rows directly)
            assertEquals(bystanderRow, rawRow(other.get(0).id()), "the other group changed");
            assertTrue(rawRow(g).contains("DMS_GROUP="), "the daemon left its group as it was");
        } finally {
            sh("dmsetup message " + dev.name + " 0 @stats_delete " + g + " || true");
        }
    }

    /** Region {@code id}'s row of the kernel's own @stats_list, bypassing libdm. */
    private String rawRow(long id) {
        return Sh.run("dmsetup message " + dev.name + " 0 @stats_list").lines().filter(l -> l.startsWith(id + ": "))
                .findFirst().orElse("");
    }

    // SIGTERM while the daemon rewrites the group: the update is finished first (the group is
    // untagged until its last step), then the daemon exits 0; the group is whole and in sync
    @Test
    void sigtermDuringAnUpdateFinishesItFirst() throws IOException {
        List<Region> other = bystander(dev);
        Path f = dev.file("stopped");
        sh("fallocate -l 4M " + f + " && sync");
        long g = Kernel.createGroup(f, false, null, "stopped");
        DaemonProcess d = daemon(f, g, "path");
        replaceWithManyExtents(f);
        awaitUpdateUnderWay(f, g);
        Sh.run("kill -TERM " + d.pid());
        assertEquals(0, d.awaitExit(EXIT), d.log());
        long now = Groups.idOf(f, "stopped");
        assertTrue(now >= 0, "the group is tagged again: " + Kernel.allRegions(f));
        assertTrue(Kernel.inSync(f, now), "group " + now + " " + Kernel.group(f, now) + " vs " + Kernel.extents(f));
        assertEquals(other, Kernel.group(f, other.get(0).groupId()), "the other group changed");
    }
    // A dm message fails: the kernel refuses @stats_create once dm-stats holds 1/4 of RAM
    // (ENOMEM). Another program's regions fill that (each region also costs a fixed 64 KiB,
    // so "full" means not even a one-area region fits). The daemon's update needs a new region:
    // status 1 with the cause, and the group is put back as it was; nothing else changes.
    @Test
    void regionCreateRefusedByTheKernelLeavesTheGroupAsItWas() throws IOException {
        List<Region> other = bystander(dev);
        Path f = fragmentable("starved", 8);
        long g = Kernel.createGroup(f, false, null, "starved");
        List<Region> before = Kernel.group(f, g);
        DaemonProcess d = daemon(f, g, "inode");
        try {
            int fillers = fillStatsMemory();
            assertTrue(fillers > 0, "no filler region fitted");
            sh("fallocate -o 32M -l 4M " + f);
            assertEquals(1, d.awaitExit(EXIT));
            String err = d.stderr();
            assertTrue(err.contains("Could not create region 1 of 1 for group " + g)
                    && (err.contains("Cannot allocate memory") || err.contains("errno 12"))
                    && err.contains("Failed to update filemap regions for group_id=" + g + "."), d.log());
            assertEquals(before, Kernel.group(f, g), "the group is as it was");
            assertEquals(other, Kernel.group(f, other.get(0).groupId()), "the other group changed");
            assertEquals(before.size() + other.size() + fillers, Kernel.allRegions(f).size(), "regions created or lost");
        } finally {
            try (DmStats filler = new DmStats("filler")) {
                FileStat st = dev.deviceOf(f);
                filler.bindDevno(st.devMajor(), st.devMinor());
                filler.list(null);
                for (Region r : filler.regions()) {
                    filler.deleteRegion(r.id());
                }
            }
        }
    }

    /** Creates "filler" regions, largest first, until the kernel refuses even one area; returns how many. */
    private int fillStatsMemory() {
        String out = Sh.run("n=0; size=$(blockdev --getsz " + dev.mapper + "); s=1; "
                + "while [ $s -le $((size * 2)) ]; do "
                + "if dmsetup message " + dev.name + " 0 @stats_create - $s filler - >/dev/null 2>&1; then n=$((n+1)); "
                + "else s=$((s * 2)); fi; done; echo $n");
        return Integer.parseInt(out.trim());
    }

    // libdm's ungroup leaves the other members linked to the destroyed group in the handle;
    // deleting one through that handle would dereference a NULL member set: the shim refuses
    @Test
    void deletingAMemberThroughAHandleThatUngroupedItIsRefusedNotACrash() throws IOException {
        Path f = fragmentable("members", 8);
        sh("fallocate -o 32M -l 4M " + f);
        long g = Kernel.createGroup(f, false, null, "members");
        try (DmStats stats = Kernel.handleFor(f)) {
            List<Region> members = stats.groupRegions(g);
            assertEquals(2, members.size(), "members " + members);
            stats.deleteGroup(g, false);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> stats.deleteRegion(members.get(1).id()));
            assertTrue(refused.getMessage().contains("removed since the last listing"), refused.getMessage());
            stats.listAll();
            stats.deleteRegion(members.get(1).id());
        }
        assertEquals(1, Kernel.allRegions(f).size());
    }

    /** Renames over {@code f} a file of {@value #LONG_UPDATE_EXTENTS} extents (path mode maps it at once). */
    private void replaceWithManyExtents(Path f) {
        Path tmp = dev.file(f.getFileName() + ".new");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < LONG_UPDATE_EXTENTS; i++) {
            sb.append("fallocate -o ").append(i * 256).append("K -l 256K ").append(tmp).append(" && fallocate -o ")
                    .append(i * 256).append("K -l 256K ").append(dev.file("gap")).append(" && sync && ");
        }
        sh(sb + "mv " + tmp + " " + f);
    }

    /** Polls until the group is untagged while its file's old regions are still there: mid-update. */
    private static void awaitUpdateUnderWay(Path f, long g) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            try (DmStats stats = Kernel.handleFor(f)) {
                if (!stats.groupPresent(g) && stats.regions().stream().anyMatch(r -> !r.grouped())) {
                    return;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        fail("never saw the daemon's update under way");
    }

}
