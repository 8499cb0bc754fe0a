package org.dmfilemapd.monitor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.regions.RegionUpdater;

/**
 * One {@code dm_stats} handle for every monitored group of one program id on one device.
 * Its listing is shared: the device check refreshes it every interval, an update marks it
 * stale. All use is under the device's lock ({@link #lock}), which every handle of the
 * device shares, so updates on one device never interleave.
 */
final class SharedStats {
    final int major;
    final int minor;
    final String programId;
    final ReentrantLock lock;
    private final DmStats stats;
    private final RegionUpdater updater;
    private final List<MonitorTask> members = new CopyOnWriteArrayList<>();
    private boolean stale;
    private long generation;
    private boolean judged; // every member's group was looked up in the current listing
    private boolean closed;

    /** A handle bound to the device, listing {@code programId}'s regions; listed once. */
    SharedStats(int major, int minor, String programId, ReentrantLock deviceLock) throws DmException {
        this.major = major;
        this.minor = minor;
        this.programId = programId;
        this.lock = deviceLock;
        DmStats s = new DmStats("dmfilemapd");
        try {
            s.bindDevno(major, minor);
            // list and create with the group's program id (normally "dmstats"), as the original
            s.setProgramId(programId);
            s.list(null);
        } catch (DmException | RuntimeException e) {
            s.close();
            throw e;
        }
        this.stats = s;
        this.updater = new RegionUpdater(s);
    }

    /** The handle; only under {@link #lock}. */
    DmStats stats() {
        assert lock.isHeldByCurrentThread();
        return stats;
    }

    RegionUpdater updater() {
        assert lock.isHeldByCurrentThread();
        return updater;
    }

    /** Lists again (under the lock). */
    void list() throws DmException {
        assert lock.isHeldByCurrentThread();
        judged = false;
        stats.list(null);
        stale = false;
    }

    /** The device check looked up every member's group in the current listing. */
    void judged() {
        assert lock.isHeldByCurrentThread();
        judged = true;
    }

    /**
     * True if the device check has nothing to do: every member was judged on the current
     * listing and the kernel's listing still reads the same (one ioctl, nothing parsed).
     */
    boolean unchangedSinceJudged() throws DmException {
        assert lock.isHeldByCurrentThread();
        return judged && !stale && !closed && stats.listingUnchanged();
    }

    /** The regions changed since the last listing (our own update). */
    void markStale() {
        stale = true;
        generation++;
    }

    /** Counts our own updates of the device's regions (read under {@link #lock}). */
    long generation() {
        assert lock.isHeldByCurrentThread();
        return generation;
    }

    /** The last listing may not show the kernel's regions. */
    boolean stale() {
        return stale;
    }

    /** Monitors using this handle (any thread). */
    List<MonitorTask> members() {
        return members;
    }

    // membership changes under the lock: a device check only judges members listed after they joined
    void join(MonitorTask t) {
        members.add(t);
        judged = false;
    }

    /** Leaves; true if that was the last member (the caller then closes the handle). */
    boolean leave(MonitorTask t) {
        members.remove(t);
        return members.isEmpty();
    }

    boolean closed() {
        return closed;
    }

    void close() {
        closed = true;
        stats.close();
    }
}
