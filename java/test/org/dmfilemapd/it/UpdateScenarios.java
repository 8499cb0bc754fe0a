package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.dmfilemapd.jni.Region;
import org.dmfilemapd.regions.FailPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the monitor does with changes, beyond the original's scenarios: changes to members
 * other than the leader, and bursts (coalesced, the last change never lost). Behaviour only;
 * speed is measured by scripts/bench.
 */
abstract class UpdateScenarios extends OnDmDevice {
    private static final long MIN_UPDATE_INTERVAL_MS = 500;
    private DaemonProcess daemon;

    @AfterEach
    void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** A file of two regions on any filesystem: 8 MiB with a hole punched at 4-5 MiB. */
    private Path twoRegions(String name) throws IOException {
        Path f = dev.file(name);
        sh("fallocate -l 8M " + f + " && fallocate -p -o 4M -l 1M " + f + " && sync");
        return f;
    }

    private long updates() {
        return daemon.log().lines().filter(l -> l.startsWith("Updated group")).count();
    }

    // a member that is not the leader is replaced (libdm crashed here when ungrouped first)
    @Test
    void aMemberSplitByAHoleIsReplaced() throws IOException {
        Path f = twoRegions("split");
        long g = Kernel.createGroup(f, false, null, "split");
        List<Region> before = Kernel.group(f, g);
        assertEquals(2, before.size());
        daemon = DaemonProcess.start(f, g, "inode", true, 2).awaitWatching();
        sh("fallocate -p -o 6M -l 1M " + f + " && sync");
        Kernel.awaitInSync(f, g, SYNC);
        List<Region> after = Kernel.group(f, g);
        assertEquals(3, after.size(), after.toString());
        assertEquals(before.get(0), after.get(0), "the leader is kept as it was");
        assertTrue(daemon.alive(), daemon.log());
    }

    // A change that keeps the leader is made in place from the check's listing, without
    // untagging the group: at the moment before the daemon writes the tag (it stops itself
    // there: fail point) the group is still tagged with its old members and the new region
    // exists beside it; then the tag names them all, the group keeps its id and leader.
    @Test
    void aChangeKeepingTheLeaderIsMadeInPlace() throws IOException {
        Path f = twoRegions("inplace");
        long g = Kernel.createGroup(f, false, null, "inplace");
        List<Region> before = Kernel.group(f, g);
        int onDevice = Kernel.allRegions(f).size();
        daemon = DaemonProcess.start(f, g, "inode", true, 2, Map.of("DMFILEMAPD_FAILPOINT", FailPoint.BEFORE_TAG))
                .awaitWatching();
        sh("fallocate -o 16M -l 1M " + f);
        Kernel.await("the daemon stopped before writing the tag", SYNC, daemon::stopped);
        try {
            assertEquals(before, Kernel.group(f, g), "still tagged, with its old members");
            assertEquals(onDevice + 1, Kernel.allRegions(f).size(), "the new region beside the group");
        } finally {
            Sh.run("kill -CONT " + daemon.pid());
        }
        Kernel.awaitInSync(f, g, SYNC);
        // (the group is in sync once its tag is written; the daemon logs the update after)
        daemon.awaitLog("Group " + g + " in place", SYNC);
        List<Region> after = Kernel.group(f, g);
        assertEquals(before.size() + 1, after.size(), after.toString());
        assertEquals(before.get(0), after.get(0), "the same leader, the same group id");
        assertEquals(onDevice + 1, Kernel.allRegions(f).size(), "nothing else created");
        assertTrue(daemon.alive(), daemon.log());
    }

    // only a deletion: the member goes, the group stays as it is otherwise
    @Test
    void aMemberPunchedAwayIsDeleted() throws IOException {
        Path f = twoRegions("gone");
        long g = Kernel.createGroup(f, false, null, "gone");
        List<Region> before = Kernel.group(f, g);
        assertEquals(2, before.size());
        daemon = DaemonProcess.start(f, g, "inode", true, 2).awaitWatching();
        sh("fallocate -p -o 5M -l 3M " + f + " && sync");
        Kernel.awaitInSync(f, g, SYNC);
        assertEquals(List.of(before.get(0)), Kernel.group(f, g));
        assertTrue(daemon.alive(), daemon.log());
    }

    // a burst of allocations: fewer updates than changes (at most one per 500 ms after the
    // first), and the group ends equal to the file, so the last change was applied
    @Test
    void aBurstIsCoalescedAndItsLastChangeApplied() throws IOException {
        Path f = fragmentable("burst", 4);
        long g = Kernel.createGroup(f, false, null, "burst");
        daemon = DaemonProcess.start(f, g, "inode", true, 2).awaitWatching();
        Kernel.awaitInSync(f, g, SYNC);
        long baseline = updates();
        int changes = 20;
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < changes; i++) {
            // each range behind a new piece of spacer: every change adds a region
            burst.append("fallocate -o ").append(8 + 2 * i).append("M -l 1M ").append(f).append(" && fallocate -o ")
                    .append(4 + i).append("M -l 1M ").append(dev.file("burst.spacer")).append(" && ");
        }
        long t0 = System.nanoTime();
        sh(burst + "true");
        Kernel.awaitInSync(f, g, SYNC);
        long elapsedMs = (System.nanoTime() - t0) / MS;
        assertEquals(1 + changes, Kernel.group(f, g).size());
        long updates = updates() - baseline;
        assertTrue(updates >= 1, "the burst was applied");
        assertTrue(updates < changes, updates + " updates for " + changes + " changes: not coalesced");
        assertTrue(updates <= elapsedMs / MIN_UPDATE_INTERVAL_MS + 2,
                updates + " updates in " + elapsedMs + " ms: more than one per " + MIN_UPDATE_INTERVAL_MS + " ms");
        assertTrue(daemon.alive(), daemon.log());
    }
}
