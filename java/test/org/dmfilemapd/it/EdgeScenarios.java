package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.dmfilemapd.jni.Region;
import org.dmfilemapd.regions.Extent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * P16 moves the original misses (same block count, no st_blocks change) and the leader and
 * id-space edge cases (B3, P5, P7), on each filesystem (subclasses). Every test also checks
 * that a second group on the same device is left exactly as it was.
 */
abstract class EdgeScenarios extends OnDmDevice {
    private DaemonProcess daemon;

    @AfterEach
    void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    DaemonProcess daemon() {
        return daemon;
    }

    DaemonProcess daemon(Path file, long groupId, String mode) throws IOException {
        daemon = DaemonProcess.start(file, groupId, mode, true, 2).awaitWatching();
        return daemon;
    }

    /** Another file with a group of its own on the device, for "nothing else touched". */
    List<Region> bystander() throws IOException {
        Path o = fragmentable("bystander", 4);
        long g = Kernel.createGroup(o, false, null, "bystander");
        return Kernel.group(o, g);
    }

    void assertBystanderUntouched(List<Region> before) throws IOException {
        assertEquals(before, Kernel.group(dev.file("bystander"), before.get(0).groupId()), "the other group changed");
    }

    long blocks(Path f) {
        return Long.parseLong(Sh.run("stat -c %b " + f).trim());
    }

    // P16: a range punched and the same amount allocated elsewhere in the file: st_blocks is
    // unchanged (the original sees nothing), the extents are not
    @Test
    void sameSizeAllocationElsewhereIsFollowedInInodeMode() throws IOException {
        sameSizeAllocationElsewhere("inode");
    }

    @Test
    void sameSizeAllocationElsewhereIsFollowedInPathMode() throws IOException {
        sameSizeAllocationElsewhere("path");
    }

    private void sameSizeAllocationElsewhere(String mode) throws IOException {
        List<Region> other = bystander();
        Path f = dev.file("moved-" + mode);
        // 16 MiB with a 2 MiB hole at 12 MiB
        sh("fallocate -l 16M " + f + " && fallocate -p -o 12M -l 2M " + f + " && sync");
        long g = Kernel.createGroup(f, false, null, "moved");
        List<Extent> before = Kernel.extents(f);
        long blocks = blocks(f);
        daemon(f, g, mode);
        sh("fallocate -p -o 2M -l 2M " + f + " && fallocate -o 12M -l 2M " + f + " && sync");
        assertEquals(blocks, blocks(f), "same block count");
        assertNotEquals(before, Kernel.extents(f), "the allocation moved");
        Kernel.awaitInSync(f, g, SYNC);
        assertTrue(daemon.alive());
        assertBystanderUntouched(other);
    }

    // B3 + P7: groups created and deleted leave holes in the id space; the monitored group's
    // ids exceed the number of regions present (libdm sizes its regroup bitset by that count
    // and writes past it). Growth makes a new region at id 0, below the leader: the group's
    // leader becomes 0 although the file's first extent keeps its higher id (the original
    // takes that one for the leader and exits); the daemon follows the real leader.
    @Test
    void holesInTheIdSpaceAndTheDaemonFollowsTheRealLeader() throws IOException {
        List<Long> holes = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path h = fragmentable("hole" + i, 2);
            holes.add(Kernel.createGroup(h, false, null, "hole" + i));
        }
        Path f = fragmentable("target", 4);
        long g = Kernel.createGroup(f, false, null, "target");
        List<Region> other = bystander();
        for (int i = 0; i < holes.size(); i++) {
            Kernel.deleteGroup(dev.file("hole" + i), holes.get(i), true);
        }
        int present = Kernel.allRegions(f).size();
        assertTrue(g >= present, "group " + g + " lies beyond the " + present + " regions present");

        DaemonProcess d = daemon(f, g, "inode");
        sh("fallocate -o 16M -l 4M " + f);
        d.awaitLog("group_id changed from " + g + " to 0", SYNC);
        Kernel.awaitInSync(f, 0, SYNC);
        List<Region> members = Kernel.group(f, 0);
        Extent first = Kernel.extents(f).get(0);
        assertTrue(members.stream().anyMatch(r -> r.id() > 0 && r.start() == first.start()),
                "the first extent keeps its own id, above the leader: " + members);
        // still the group's monitor: it keeps following changes, and ends when the group goes
        sh("fallocate -o 24M -l 4M " + f);
        Kernel.awaitInSync(f, 0, SYNC);
        assertBystanderUntouched(other);
        Kernel.deleteGroup(f, 0, true);
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.log().contains("Filemap group removed: exiting."), d.log());
    }

    // P5: truncated to nothing, then grown again: the group is deleted with its regions and the
    // daemon exits 0 at once (whatever the libdm version: the update is ours); the regrown
    // file gets no regions, and nothing else on the device is touched
    @Test
    void truncateToZeroThenRegrowEndsWithTheGroupDeleted() throws IOException {
        List<Region> other = bystander();
        Path f = fragmentable("shrink", 8);
        long g = Kernel.createGroup(f, false, null, "shrink");
        DaemonProcess d = daemon(f, g, "inode");
        sh("truncate -s 0 " + f);
        assertEquals(0, d.awaitExit(EXIT));
        assertTrue(d.stderr().contains("File contains no extents: exiting."), d.log());
        sh("fallocate -l 8M " + f + " && sync");
        assertEquals(other, Kernel.allRegions(f), "only the other group's regions are left");
    }
}
