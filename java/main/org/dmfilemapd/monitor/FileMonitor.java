package org.dmfilemapd.monitor;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.detect.FileFollower;
import org.dmfilemapd.detect.MonitoredFile;
import org.dmfilemapd.detect.Verdict;
import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.domain.StartException;
import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.metrics.FileCounters;
import org.dmfilemapd.metrics.IoCounters;
import org.dmfilemapd.regions.ExtentMap;
import org.dmfilemapd.regions.GroupLock;
import org.dmfilemapd.regions.GroupVanishedException;
import org.dmfilemapd.regions.RegionUpdater;
import org.dmfilemapd.regions.StartupCheck;
import org.dmfilemapd.regions.UpdateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one region group in sync with one file: the per-file state and its steps. A
 * {@link MonitorLoop} decides when (see {@link MonitorSchedule}: the first change after a
 * quiet spell at once, bursts coalesced to one update per 500 ms with the last change always
 * applied, identity checks on identity events, a remap every 5 s) and shares the inotify instance
 * and the device's stats handle between monitors; this class does the work of a step: look
 * at the file's identity, map it, and update the group if the extents differ. Changes are
 * found by comparing extent maps, not block counts, so moves that keep the block count count.
 *
 * <p>Per file: no thread, no inotify instance, no stats handle; the file's fd, its group lock
 * and a few hundred bytes.
 */
public final class FileMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileMonitor.class);

    private final Arguments args;
    private final FileStat file;
    private final String programId;
    private final FileFollower follower;
    private GroupLock lock;
    private volatile boolean stopRequested;
    // an update leaves the group untagged until its last step: a stop must wait for it
    private volatile boolean updating;
    private volatile long groupId;
    private volatile MonitorLoop loop;
    private volatile MonitorTask task;
    private boolean watching;
    private boolean closed;
    // for status(): written by the step that runs, read by any thread
    private volatile int regionCount;
    private volatile long lastUpdateEpochMillis;
    private volatile long updates;
    private volatile String lastError;
    private volatile long updateFailures;
    // IO counters continuous across updates (the updater folds deleted regions into them)
    private volatile FileCounters counters = new FileCounters(System.currentTimeMillis());
    private volatile IoCounters lastTotals;
    private volatile long[] histogramBoundsNs = new long[0];

    /** Whether a step mapped the file, and if so whether it changed the group. */
    enum Mapped {
        NO, IN_SYNC, UPDATED
    }

    /** What a step found: the identity verdict, or the monitor's end; and what its mapping did. */
    record StepResult(Verdict verdict, MonitorResult end, Mapped mapped) {
        StepResult(Verdict verdict, MonitorResult end) {
            this(verdict, end, Mapped.NO);
        }
    }

    private FileMonitor(Arguments args, FileStat file, GroupLock lock, String programId, FileFollower follower) {
        this.args = args;
        this.file = file;
        this.lock = lock;
        this.programId = programId;
        this.follower = follower;
        this.groupId = args.groupId();
    }

    /**
     * Checks that the fd is an open regular file on a device-mapper device whose stats have
     * the group, and takes the group's lock. Nothing in the kernel is changed.
     */
    public static FileMonitor open(Arguments a) throws StartException {
        GroupLock lock = null;
        try (DmStats stats = new DmStats("dmfilemapd")) {
            FileStat st = StartupCheck.verify(a, stats);
            lock = GroupLock.acquire(st.devMajor(), st.devMinor(), a.groupId());
            // lists and new regions use the group's program id (normally "dmstats")
            String programId = stats.regionProgramId(a.groupId());
            FileFollower follower = FileFollower.of(a.mode(), new MonitoredFile(a.fd(), a.path(), st));
            return new FileMonitor(a, st, lock, programId, follower);
        } catch (GroupLock.AlreadyMonitoredException e) {
            throw new StartException(e.getMessage(), e);
        } catch (IOException e) {
            if (lock != null) {
                lock.close();
            }
            throw new StartException(StartupCheck.who(a) + e.getMessage(), e);
        } catch (StartException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }

    /** The group being followed (it changes when a regroup gives it a new leader). */
    public long groupId() {
        return groupId;
    }

    public Mode mode() {
        return args.mode();
    }

    /** A snapshot of what this monitor does (any thread). */
    public MonitorStatus status() {
        IoCounters t = lastTotals;
        return new MonitorStatus(args.path(), args.mode(), file.devMajor(), file.devMinor(), file.ino(), groupId,
                regionCount, lastUpdateEpochMillis, updates, lastError,
                t == null ? -1 : t.get(IoCounters.Field.READ_SECTORS) * 512,
                t == null ? -1 : t.get(IoCounters.Field.WRITE_SECTORS) * 512);
    }

    /** The file's IO counters: what was carried past deleted regions, and where the series started. */
    public FileCounters counters() {
        return counters;
    }

    /** Continues a series saved before a restart (before the monitor starts). */
    public void continueCounters(FileCounters saved) {
        counters = saved;
    }

    /** The group's latency histogram bounds in ns as last collected (empty: none). */
    public long[] histogramBoundsNs() {
        return histogramBoundsNs.clone();
    }

    /** Updates that failed (the monitor ends with the first; a count for the metrics). */
    public long updateFailures() {
        return updateFailures;
    }

    /**
     * Reads the group's counters now (one {@code @stats_print} per region, on the calling
     * thread, never the loop's) and returns the file's totals, continuous across the group's
     * updates; the last totals if the group cannot be read now, null if there are none.
     */
    public IoCounters collectCounters() throws DmException {
        MonitorTask t = task;
        SharedStats s = t == null ? null : t.stats;
        if (s != null) {
            CounterCollection.Collected now = CounterCollection.collect(s, groupId, counters);
            if (now != null) {
                histogramBoundsNs = now.boundsNs();
                lastTotals = now.totals();
            }
        }
        return lastTotals;
    }

    /**
     * True while the group is being rewritten (ungrouped, members deleted and created, then
     * tagged again). {@link #stop} takes effect after it; whoever waits for the end of a stopped
     * monitor must not cut it short meanwhile. Any thread.
     */
    public boolean updating() {
        return updating;
    }

    /** Ends monitoring soon (within one wake-up, or once an update under way is done) with {@link MonitorResult#STOPPED}; any thread. */
    public void stop() {
        stopRequested = true;
        MonitorLoop l = loop;
        MonitorTask t = task;
        if (l != null && t != null) {
            l.post(() -> l.end(t, MonitorResult.STOPPED));
        }
    }

    /**
     * Monitors on the calling thread (a loop of its own, running only this monitor) until an
     * exit condition or {@link #stop}; logs and returns the outcome.
     */
    public MonitorResult run() {
        MonitorLoop own;
        try {
            own = new MonitorLoop(Runnable::run);
        } catch (NativeIoException e) {
            MonitorResult r = MonitorResult.error(e.getMessage());
            ended(r);
            return r;
        }
        AtomicReference<MonitorResult> result = new AtomicReference<>();
        try {
            own.attach(this, r -> {
                result.set(r);
                own.shutdown();
            });
            own.run();
        } finally {
            own.close();
        }
        return result.get();
    }

    void attached(MonitorLoop l, MonitorTask t) {
        if (loop != null) {
            throw new IllegalStateException("monitor already started");
        }
        loop = l;
        task = t;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    FileStat file() {
        return file;
    }

    String programId() {
        return programId;
    }

    FileFollower follower() {
        return follower;
    }

    String who() {
        return StartupCheck.who(args);
    }

    /**
     * One step, on whatever thread the loop runs work: the identity check, then the update,
     * if due. A replacement file is mapped in the same step.
     */
    StepResult step(MonitorSchedule.Step step, SharedStats stats) {
        try {
            Verdict v = Verdict.CONTINUE;
            if (step.check()) {
                try {
                    v = follower.check();
                } catch (IOException e) {
                    // e.g. EIO from fstat once the filesystem has shut down
                    throw new IOException("Cannot check \"" + args.path() + "\": " + e.getMessage(), e);
                }
                if (v instanceof Verdict.Exit exit) {
                    return new StepResult(v, exit.result());
                }
            }
            if (step.update() || v instanceof Verdict.Replaced) {
                long before = updates;
                MonitorResult end = reconcile(stats);
                if (end != null) {
                    return new StepResult(v, end);
                }
                if (!watching) {
                    watching = true;
                    LOG.debug("Watching \"{}\" for group {} ({} mode).", args.path(), groupId, args.mode());
                }
                return new StepResult(v, null, updates != before ? Mapped.UPDATED : Mapped.IN_SYNC);
            }
            return new StepResult(v, null);
        } catch (IOException e) {
            return new StepResult(null, MonitorResult.error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure", e);
            return new StepResult(null, MonitorResult.error("Unexpected failure: " + e));
        }
    }

    /**
     * Maps the file and updates the group if they differ. A listing at most one interval old
     * (refreshed by the device check) answers "nothing to do" without an ioctl, and serves a
     * change that keeps the leader ({@link RegionUpdater#applyInPlace}); anything else lists
     * afresh first and rebuilds the group ({@link RegionUpdater#apply}).
     */
    private MonitorResult reconcile(SharedStats shared) throws IOException {
        ExtentMap map;
        try {
            map = ExtentMap.read(follower.fd());
        } catch (IOException e) {
            // e.g. EIO once the filesystem has shut down (its device failing under it)
            throw new IOException("Cannot map \"" + args.path() + "\": " + e.getMessage(), e);
        }
        shared.lock.lock();
        try {
            DmStats stats = shared.stats();
            RegionUpdater updater = shared.updater();
            // the check's listing, at most one interval old, unless our own update came since
            boolean fresh = !shared.stale() && stats.groupPresent(groupId);
            if (!fresh) {
                MonitorResult end = relist(shared);
                if (end != null) {
                    return end;
                }
            }
            if (updater.matches(groupId, map)) {
                return matched(map);
            }
            updating = true;
            try {
                // in place from a fresh listing (no listing of every region on the device);
                // else, or when that cannot be, list and rebuild
                RegionUpdater.Result r = fresh ? updater.applyInPlace(groupId, map, counters) : null;
                if (r == null && fresh) {
                    MonitorResult end = relist(shared);
                    if (end != null) {
                        return end;
                    }
                }
                if (r == null) {
                    r = updater.apply(groupId, map, counters);
                }
                return updated(r);
            } catch (GroupVanishedException e) {
                LOG.warn("{}", e.getMessage());
                return MonitorResult.info("Filemap group removed: exiting.");
            } catch (UpdateException e) {
                return failed(e);
            } finally {
                updating = false;
                shared.markStale();
            }
        } finally {
            shared.lock.unlock();
        }
    }

    /** Lists the device again; null if the group is still there, else how monitoring ends. */
    private MonitorResult relist(SharedStats shared) {
        try {
            shared.list();
        } catch (DmException e) {
            LOG.error("{}", e.getMessage());
            return MonitorResult.error("Failed to list stats handle.");
        }
        return shared.stats().groupPresent(groupId) ? null : MonitorResult.info("Filemap group removed: exiting.");
    }

    private MonitorResult failed(UpdateException e) {
        String why = e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : "");
        lastError = why;
        updateFailures++;
        LOG.error("{}", why);
        return MonitorResult.error("Failed to update filemap regions for group_id=" + groupId + ".");
    }

    /** After an update: the counters, and the group's new id if it moved. Null: go on. */
    private MonitorResult updated(RegionUpdater.Result r) {
        regionCount = r.regionIds().size();
        if (!r.changed()) {
            return null; // nothing sent: not an update (and no reason to wait before the next)
        }
        updates++;
        lastUpdateEpochMillis = System.currentTimeMillis();
        if (r.regionIds().isEmpty()) {
            return MonitorResult.warn("File contains no extents: exiting.");
        }
        if (r.groupId() != groupId) {
            LOG.warn("group_id changed from {} to {}", groupId, r.groupId());
            groupId = r.groupId();
            relock();
        }
        LOG.debug("Updated group {} with {} region(s).", groupId, r.regionIds().size());
        return null;
    }

    private MonitorResult matched(ExtentMap map) {
        LOG.trace("Group {} matches {} extent(s)", groupId, map.extents().size());
        regionCount = map.extents().size();
        return null;
    }

    /** The loop ended this monitor: report the outcome, then close the file, its watch and its lock. */
    void ended(MonitorResult result) {
        if (result.kind() == MonitorResult.Kind.ERROR) {
            lastError = result.message();
        }
        if (result == MonitorResult.STOPPED) {
            LOG.debug(result.message()); // a stop prints nothing by default
        } else {
            switch (result.kind()) {
                case INFO -> LOG.info(result.message());
                case WARN -> LOG.warn(result.message());
                case ERROR -> {
                    LOG.error(result.message());
                    LOG.error("Exiting");
                }
            }
        }
        close();
    }

    /** Closes the file (as the original does on exit), its watch and the group lock. Regions stay. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        follower.close();
        lock.close();
    }

    /** The group moved to a new id: hold that one's lock instead. */
    private void relock() {
        try {
            GroupLock next = GroupLock.acquire(file.devMajor(), file.devMinor(), groupId);
            lock.close();
            lock = next;
        } catch (IOException e) {
            LOG.warn("Cannot lock group {}: {}", groupId, e.getMessage());
        }
    }
}
