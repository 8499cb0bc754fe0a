package org.dmfilemapd.monitor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.metrics.FileCounters;
import org.dmfilemapd.metrics.IoCounters;
import org.dmfilemapd.metrics.RegionKey;

/**
 * Reads one group's counters for the metrics, beside the monitor's updates: one
 * {@code @stats_print} per region, never a clear. The device's lock is taken for at most
 * {@value #CHUNK} regions at a time, so a group of 10,000 regions does not hold up the
 * updates of other files on the device for its whole reading; every region is read while
 * the listing it came from is current (no update of ours in between), and the totals are
 * taken under the lock of the last chunk, so a region deleted meanwhile is counted once:
 * in the carry, not also as a member.
 */
final class CounterCollection {
    static final int CHUNK = 64;

    private CounterCollection() {
    }

    /** A collection's result: the file's totals and its group's histogram bounds (ns; empty without). */
    record Collected(IoCounters totals, long[] boundsNs) {
    }

    /** The file's totals now, or null if the group is not listed (gone, or not yet known). */
    static Collected collect(SharedStats shared, long groupId, FileCounters counters) throws DmException {
        Map<RegionKey, IoCounters> read = new HashMap<>();
        List<Region> members = null;
        long generation = -1;
        boolean precise = false;
        long[] bounds = new long[0];
        int next = 0;
        while (true) {
            shared.lock.lock();
            try {
                if (shared.closed()) {
                    return null;
                }
                DmStats stats = shared.stats();
                if (members == null || shared.generation() != generation) {
                    if (shared.stale()) {
                        shared.list();
                    }
                    generation = shared.generation();
                    if (!stats.groupPresent(groupId)) {
                        return null;
                    }
                    members = stats.groupRegions(groupId);
                    precise = stats.regionPrecise(groupId);
                    bounds = stats.regionHistogramBounds(groupId);
                    // what was read of regions the update replaced no longer counts as theirs
                    Map<RegionKey, IoCounters> still = new HashMap<>();
                    for (Region r : members) {
                        RegionKey k = key(r);
                        if (read.containsKey(k)) {
                            still.put(k, read.get(k));
                        }
                    }
                    read = still;
                    next = 0;
                }
                int n = 0;
                while (next < members.size() && n < CHUNK) {
                    Region r = members.get(next++);
                    RegionKey k = key(r);
                    if (!read.containsKey(k)) {
                        try {
                            read.put(k, IoCounters.parse(stats.print(r.id()), precise));
                        } catch (DmException | IllegalArgumentException e) {
                            // deleted by someone else since the listing: counted as vanished
                        }
                        n++;
                    }
                }
                if (next >= members.size()) {
                    return new Collected(counters.collected(read), bounds);
                }
            } finally {
                shared.lock.unlock();
            }
        }
    }

    private static RegionKey key(Region r) {
        return new RegionKey(r.id(), r.start(), r.length());
    }
}
