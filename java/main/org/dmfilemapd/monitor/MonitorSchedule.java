package org.dmfilemapd.monitor;

import org.dmfilemapd.detect.Verdict;

/**
 * When one file's monitor has work, on the loop's clock (milliseconds): the timing policy
 * alone, without I/O, so it can be tested on a made-up clock.
 *
 * <ul>
 * <li>Updates: the first change after a quiet spell is applied at once; later changes are
 * coalesced so that updates (reconciles that sent dm messages) are at least
 * {@value #MIN_UPDATE_INTERVAL_MS} ms apart, and the last change of a burst is always applied
 * (a change seen during an update counts after it). A reconcile that found the group in sync
 * sent nothing, so it starts no such interval: a change right after the periodic remap is
 * applied at once. If events asked for it, it keeps the next mapping
 * {@value #MIN_MAP_INTERVAL_MS} ms away, so a stream of events that change no extents
 * (overwrites) maps the file at most 10 times a second.</li>
 * <li>Identity checks are event-driven (the follower's watch raises IN_ATTRIB on unlink and
 * on a rename over the path, IN_MOVE_SELF on a rename away); the follower may ask to be
 * looked at again sooner ({@link Verdict.RecheckSoon}, {@link Verdict.Poll}). Otherwise the
 * identity is looked at with each remap, as a backstop for what raises no event on the
 * file (the path's directory renamed, a lost event).</li>
 * <li>A remap every {@value #REMAP_INTERVAL_MS} ms, for changes that raise no event.</li>
 * </ul>
 *
 * Periodic deadlines fall on the loop's shared ticks (multiples of {@value #TICK_MS} ms; the
 * remaps of every monitor on the same multiples of {@value #REMAP_INTERVAL_MS} ms), so any
 * number of idle monitors add no wake-ups of their own.
 */
final class MonitorSchedule {
    /** The loop's shared tick: the device checks run on it, periodic deadlines fall on it. */
    static final long TICK_MS = 1000;
    static final long MIN_UPDATE_INTERVAL_MS = 500;
    /** The shortest time between two mappings when the first sent nothing. */
    static final long MIN_MAP_INTERVAL_MS = 100;
    /**
     * Defragmenters (xfs_fsr, e4defrag) swap extents without any inotify event, and mmap writes
     * raise none: map the file this often anyway (one FIEMAP, compared in memory).
     */
    static final long REMAP_INTERVAL_MS = 5000;

    /**
     * What a step of the monitor does; both may be due at once. {@code byEvent}: the update
     * was asked for by an event (not only by the periodic remap).
     */
    record Step(long at, boolean check, boolean update, boolean byEvent) {
        Step(long at, boolean check, boolean update) {
            this(at, check, update, false);
        }
    }

    private boolean pending = true; // reconcile once at start: the group may already be stale
    private boolean byEvent;
    private long nextUpdate = Long.MIN_VALUE / 2;
    private long nextCheck;
    private long nextRemap;

    /** A monitor that starts at {@code now}: it checks and reconciles at once. */
    MonitorSchedule(long now) {
        nextCheck = now;
        nextRemap = remapAfter(now);
    }

    /** The first shared tick strictly after {@code now}. */
    static long nextTick(long now) {
        return Math.floorDiv(now, TICK_MS) * TICK_MS + TICK_MS;
    }

    /**
     * Remaps fall on multiples of the remap interval, the same for every monitor, so idle
     * files are remapped together (one batch of work) instead of spread over the ticks.
     */
    private static long remapAfter(long now) {
        return Math.floorDiv(now, REMAP_INTERVAL_MS) * REMAP_INTERVAL_MS + REMAP_INTERVAL_MS;
    }

    /** An event that may mean new or moved allocation (or a lost event: queue overflow). */
    void changed() {
        pending = true;
        byEvent = true;
    }

    /** An event that may mean the file was unlinked, replaced or lost its watch: look now. */
    void identityEvent() {
        nextCheck = Long.MIN_VALUE;
    }

    /**
     * The work due at {@code now}, or null. A change seen from now on makes another update
     * due, once {@link #reconciled} tells how soon.
     */
    Step begin(long now) {
        if (now >= nextRemap) {
            pending = true;
            nextRemap = remapAfter(now);
            // the backstop identity look goes with the remap: one step, no extra wake-up
            nextCheck = Math.min(nextCheck, now);
        }
        boolean check = now >= nextCheck;
        boolean update = pending && now >= nextUpdate;
        boolean asked = update && byEvent;
        if (update) {
            pending = false;
            byEvent = false;
        }
        return check || update ? new Step(now, check, update, asked) : null;
    }

    /**
     * The identity check of {@code step} ended at {@code now} with {@code v} (not an exit).
     */
    void checked(Step step, long now, Verdict v) {
        if (v instanceof Verdict.RecheckSoon soon) {
            nextCheck = now + soon.millis();
        } else if (v instanceof Verdict.Poll) {
            nextCheck = nextTick(now);
        } else {
            nextCheck = nextRemap;
        }
    }

    /**
     * {@code step} mapped the file (a due update, or a replacement mapped in the same step);
     * {@code sent}: it changed the group. Only then does the update interval start, from the
     * step's start. A mapping asked for by events that sent nothing holds the next one back
     * briefly; one that only the remap asked for, not at all (the remap is rate-limited already).
     */
    void reconciled(Step step, boolean sent) {
        if (sent) {
            nextUpdate = Math.max(nextUpdate, step.at() + MIN_UPDATE_INTERVAL_MS);
        } else if (step.byEvent()) {
            nextUpdate = Math.max(nextUpdate, step.at() + MIN_MAP_INTERVAL_MS);
        }
    }

    /** When work is next due, {@link Long#MAX_VALUE} never (it always has a remap). */
    long deadline() {
        long d = Math.min(nextRemap, nextCheck);
        return pending ? Math.min(d, nextUpdate) : d;
    }

    boolean pending() {
        return pending;
    }
}
