package org.dmfilemapd.monitor;

/**
 * When one file's monitor has work, on the loop's clock (milliseconds): the timing policy
 * alone, without I/O, so it can be tested on a made-up clock.
 *
 * <ul>
 * <li>Updates: the first change after a quiet spell is applied at once; later changes are
 * coalesced so that updates are at least {@value #MIN_UPDATE_INTERVAL_MS} ms apart, and the
 * last change of a burst is always applied (a change seen during an update counts after it).</li>
 * <li>Identity checks every {@value #CHECK_INTERVAL_MS} ms, at once on an identity event, or
 * sooner when the follower asks (path-mode reopen retries).</li>
 * <li>A remap every {@value #REMAP_INTERVAL_MS} ms, for changes that raise no event.</li>
 * </ul>
 *
 * Periodic deadlines fall on the loop's shared ticks (multiples of the check interval), so
 * any number of idle monitors wake the loop twice a second, not twice a second each.
 */
final class MonitorSchedule {
    static final long CHECK_INTERVAL_MS = 500;
    static final long MIN_UPDATE_INTERVAL_MS = 500;
    /**
     * Defragmenters (xfs_fsr, e4defrag) swap extents without any inotify event, and mmap writes
     * raise none: map the file this often anyway (one FIEMAP, compared in memory).
     */
    static final long REMAP_INTERVAL_MS = 5000;

    /** What a step of the monitor does; both may be due at once. */
    record Step(long at, boolean check, boolean update) {
    }

    private boolean pending = true; // reconcile once at start: the group may already be stale
    private long lastUpdate = Long.MIN_VALUE / 2;
    private long nextCheck;
    private long nextRemap;

    /** A monitor that starts at {@code now}: it checks and reconciles at once. */
    MonitorSchedule(long now) {
        nextCheck = now;
        nextRemap = nextTick(now + REMAP_INTERVAL_MS - CHECK_INTERVAL_MS);
    }

    /** The first shared tick strictly after {@code now}. */
    static long nextTick(long now) {
        return Math.floorDiv(now, CHECK_INTERVAL_MS) * CHECK_INTERVAL_MS + CHECK_INTERVAL_MS;
    }

    /** An event that may mean new or moved allocation (or a lost event: queue overflow). */
    void changed() {
        pending = true;
    }

    /** An event that may mean the file was unlinked, replaced or lost its watch: look now. */
    void identityEvent() {
        nextCheck = Long.MIN_VALUE;
    }

    /**
     * The work due at {@code now}, or null. An update it returns counts as started now: a
     * change seen from now on makes another one due, no sooner than the interval allows.
     */
    Step begin(long now) {
        if (now >= nextRemap) {
            pending = true;
            nextRemap = nextTick(now + REMAP_INTERVAL_MS - CHECK_INTERVAL_MS);
        }
        boolean check = now >= nextCheck;
        boolean update = pending && now >= lastUpdate + MIN_UPDATE_INTERVAL_MS;
        if (update) {
            pending = false;
            lastUpdate = now;
        }
        return check || update ? new Step(now, check, update) : null;
    }

    /**
     * The identity check of {@code step} ended at {@code now} with {@code v} (not an exit). A
     * replacement is mapped at once by the same step, so that step counts as an update.
     */
    void checked(Step step, long now, Verdict v) {
        if (v instanceof Verdict.RecheckSoon soon) {
            nextCheck = now + soon.millis();
        } else {
            nextCheck = nextTick(now);
        }
        if (v instanceof Verdict.Replaced) {
            lastUpdate = Math.max(lastUpdate, step.at());
        }
    }

    /** When work is next due, {@link Long#MAX_VALUE} never (it always has a check). */
    long deadline() {
        long d = Math.min(nextRemap, nextCheck);
        return pending ? Math.min(d, lastUpdate + MIN_UPDATE_INTERVAL_MS) : d;
    }

    boolean pending() {
        return pending;
    }
}
