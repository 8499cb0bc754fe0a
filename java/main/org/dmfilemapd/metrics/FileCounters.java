package org.dmfilemapd.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * One monitored file's IO counters, kept continuous across the updates of its group.
 *
 * <p>A file's totals are the sum of its group's regions now plus what this object carries:
 * the last counters of every region the group has lost. The updater reads a region just
 * before it deletes it ({@link #regionDeleted}); a region that vanished without that (deleted
 * by someone else), or whose counters went down (recreated under the same id, start and
 * length), contributes its last collected counters instead, so only IO that landed after
 * the last reading of such a region is lost. The in-progress gauge is never carried.
 * Thread-safe: collections and updates run on different threads.
 */
public final class FileCounters {
    private final long createdEpochMillis;
    private IoCounters carried;
    private long carries;
    private final Map<RegionKey, IoCounters> lastRead = new HashMap<>();

    /** A new series: nothing carried, starting at {@code createdEpochMillis}. */
    public FileCounters(long createdEpochMillis) {
        this(createdEpochMillis, IoCounters.ZERO, 0);
    }

    /** A series restored from the service's state (a restart): its carry and start go on. */
    public FileCounters(long createdEpochMillis, IoCounters carried, long carries) {
        this.createdEpochMillis = createdEpochMillis;
        this.carried = carried;
        this.carries = carries;
    }

    /** The updater is about to delete {@code region}, whose counters read {@code last} just now. */
    public synchronized void regionDeleted(RegionKey region, IoCounters last) {
        IoCounters before = lastRead.remove(region);
        fold(last != null ? last : before);
    }

    /** The updater is about to delete {@code region} and could not read it: its last collected counters stand. */
    public synchronized void regionDeletedUnread(RegionKey region) {
        fold(lastRead.remove(region));
    }

    /**
     * One collection: the counters of every region of the group now. Returns the file's
     * totals, which never go below the totals of an earlier collection.
     */
    public synchronized IoCounters collected(Map<RegionKey, IoCounters> members) {
        for (var it = lastRead.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            IoCounters now = members.get(e.getKey());
            if (now == null || wentDown(e.getValue(), now)) {
                fold(e.getValue());
                it.remove();
            }
        }
        IoCounters total = carried;
        for (var e : members.entrySet()) {
            lastRead.put(e.getKey(), e.getValue());
            total = total.plus(e.getValue());
        }
        return total;
    }

    public synchronized IoCounters carried() {
        return carried;
    }

    /** How many regions' counters have been carried past their deletion. */
    public synchronized long carries() {
        return carries;
    }

    public long createdEpochMillis() {
        return createdEpochMillis;
    }

    private void fold(IoCounters last) {
        if (last != null) {
            carried = carried.plus(last.withoutInProgress());
            carries++;
        }
    }

    private static boolean wentDown(IoCounters before, IoCounters now) {
        for (IoCounters.Field f : IoCounters.Field.values()) {
            if (f != IoCounters.Field.IO_IN_PROGRESS && now.get(f) < before.get(f)) {
                return true;
            }
        }
        return false;
    }
}
