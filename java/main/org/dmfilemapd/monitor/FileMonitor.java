package org.dmfilemapd.monitor;

import java.io.IOException;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.cli.Mode;
import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Inotify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one region group in sync with one file. The loop blocks on inotify rather than
 * sleeping: the first change after a quiet spell is applied at once, and a burst is
 * coalesced to at most one update per {@value #MIN_UPDATE_INTERVAL_MS} ms (each new region
 * suspends and resumes the device), its last change always applied. Every
 * {@value #CHECK_INTERVAL_MS} ms the group is listed (one ioctl, the original's rate) to see
 * whether someone removed it, and the follower looks at the file's identity. Changes are
 * found by comparing extent maps, not block counts, so moves that keep the block count count.
 */
public final class FileMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileMonitor.class);

    static final long CHECK_INTERVAL_MS = 500;
    static final long MIN_UPDATE_INTERVAL_MS = 500;
    /**
     * Also map the file this often without an event: defragmenters (xfs_fsr, e4defrag) swap
     * extents without any inotify event, and mmap writes raise none. One FIEMAP (no writeback),
     * compared in memory; dm messages only if the extents moved.
     */
    static final long REMAP_INTERVAL_MS = 5000;

    private final Arguments args;
    private final DmStats stats;
    private final Inotify inotify;
    private final FileFollower follower;
    private final RegionUpdater updater;
    private final FileStat file;
    private GroupLock lock;
    private volatile boolean stopRequested;
    // an update leaves the group untagged until its last step: a stop must wait for it
    private volatile boolean updating;
    private volatile long groupId;
    // for status(): written by the monitor's thread, read by any
    private volatile int regionCount;
    private volatile long lastUpdateEpochMillis;
    private volatile long updates;
    private volatile String lastError;

    private FileMonitor(Arguments args, FileStat file, GroupLock lock, DmStats stats, Inotify inotify,
            FileFollower follower) {
        this.args = args;
        this.file = file;
        this.lock = lock;
        this.stats = stats;
        this.inotify = inotify;
        this.follower = follower;
        this.updater = new RegionUpdater(stats);
        this.groupId = args.groupId();
    }

    /**
     * Checks that the fd is an open regular file on a device-mapper device whose stats have
     * the group, then prepares to monitor it. Nothing in the kernel is changed.
     */
    public static FileMonitor open(Arguments a) throws StartException {
        DmStats stats = null;
        Inotify inotify = null;
        GroupLock lock = null;
        try {
            stats = new DmStats("dmfilemapd");
            FileStat st = StartupCheck.verify(a, stats);
            lock = GroupLock.acquire(st.devMajor(), st.devMinor(), a.groupId());
            // from now on list and create with the group's program id (normally "dmstats")
            stats.setProgramId(stats.regionProgramId(a.groupId()));
            inotify = new Inotify();
            FileFollower follower = FileFollower.of(a.mode(), new MonitoredFile(a.fd(), a.path(), st), inotify);
            return new FileMonitor(a, st, lock, stats, inotify, follower);
        } catch (GroupLock.AlreadyMonitoredException e) {
            closeQuietly(inotify, stats);
            throw new StartException(e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(inotify, stats);
            if (lock != null) {
                lock.close();
            }
            throw new StartException(StartupCheck.who(a) + e.getMessage(), e);
        } catch (StartException | RuntimeException e) {
            closeQuietly(inotify, stats);
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
        return new MonitorStatus(args.path(), args.mode(), file.devMajor(), file.devMinor(), file.ino(), groupId,
                regionCount, lastUpdateEpochMillis, updates, lastError);
    }

    /**
     * True while the group is being rewritten (ungrouped, members deleted and created, then
     * tagged again). {@link #stop} takes effect after it; whoever waits for the end of a stopped
     * monitor must not cut it short meanwhile. Any thread.
     */
    public boolean updating() {
        return updating;
    }

    /** Ends {@link #run} soon (within one wake-up, or once an update under way is done) with {@link MonitorResult#STOPPED}; any thread. */
    public void stop() {
        stopRequested = true;
        inotify.wake();
    }

    /** Monitors until an exit condition or {@link #stop}; logs and returns the outcome. */
    public MonitorResult run() {
        MonitorResult result;
        try {
            result = loop();
        } catch (IOException e) {
            result = MonitorResult.error(e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure", e);
            result = MonitorResult.error("Unexpected failure: " + e);
        }
        if (result.kind() == MonitorResult.Kind.ERROR) {
            lastError = result.message();
        }
        if (result == MonitorResult.STOPPED) {
            LOG.debug(result.message()); // a stop prints nothing by default
            return result;
        }
        switch (result.kind()) {
            case INFO -> LOG.info(result.message());
            case WARN -> LOG.warn(result.message());
            case ERROR -> {
                LOG.error(result.message());
                LOG.error("Exiting");
            }
        }
        return result;
    }

    private MonitorResult loop() throws IOException {
        final long t0 = System.nanoTime();
        boolean pending = true; // reconcile once at start: the group may already be stale
        long lastUpdate = -MIN_UPDATE_INTERVAL_MS;
        long nextCheck = 0;
        boolean watching = false;
        long nextRemap = REMAP_INTERVAL_MS;
        while (!stopRequested) {
            long now = (System.nanoTime() - t0) / 1_000_000L;
            if (now >= nextRemap) {
                pending = true;
                nextRemap = now + REMAP_INTERVAL_MS;
            }
            if (now >= nextCheck) {
                MonitorResult gone = listAndCheckGroup();
                if (gone != null) {
                    return gone;
                }
                Verdict v;
                try {
                    v = follower.check();
                } catch (IOException e) {
                    // e.g. EIO from fstat once the filesystem has shut down
                    throw new IOException("Cannot check \"" + args.path() + "\": " + e.getMessage(), e);
                }
                nextCheck = now + CHECK_INTERVAL_MS;
                if (v instanceof Verdict.Exit exit) {
                    return exit.result();
                } else if (v instanceof Verdict.RecheckSoon soon) {
                    nextCheck = now + soon.millis();
                } else if (v instanceof Verdict.Replaced) {
                    pending = true;
                    lastUpdate = now - MIN_UPDATE_INTERVAL_MS; // a new file is mapped at once
                }
            }
            if (pending && now >= lastUpdate + MIN_UPDATE_INTERVAL_MS) {
                pending = false;
                lastUpdate = now;
                MonitorResult end = reconcile();
                if (end != null) {
                    return end;
                }
                if (!watching) {
                    watching = true;
                    LOG.debug("Watching \"{}\" for group {} ({} mode).", args.path(), groupId, args.mode());
                }
                continue;
            }
            long deadline = Math.min(nextRemap,
                    pending ? Math.min(nextCheck, lastUpdate + MIN_UPDATE_INTERVAL_MS) : nextCheck);
            Inotify.Events ev = inotify.await((int) Math.max(0, Math.min(deadline - now, Integer.MAX_VALUE)));
            if (ev.woken() || ev.timedOut()) {
                continue;
            }
            int mask = ev.maskFor(follower.watch());
            if ((mask & (FileFollower.CHANGE_EVENTS | Inotify.IN_Q_OVERFLOW)) != 0) {
                pending = true;
            }
            if ((mask & FileFollower.IDENTITY_EVENTS) != 0) {
                nextCheck = 0; // look at the file now
            }
        }
        return MonitorResult.STOPPED;
    }

    /** Lists the group's program's regions; a result if the monitor must end. */
    private MonitorResult listAndCheckGroup() {
        try {
            stats.list(null);
        } catch (DmException e) {
            LOG.error("{}", e.getMessage());
            return MonitorResult.error("Failed to list stats handle.");
        }
        if (!stats.groupPresent(groupId)) {
            return MonitorResult.info("Filemap group removed: exiting.");
        }
        return null;
    }

    /** Maps the file and updates the group if they differ. */
    private MonitorResult reconcile() throws IOException {
        MonitorResult gone = listAndCheckGroup();
        if (gone != null) {
            return gone;
        }
        ExtentMap map;
        try {
            map = ExtentMap.read(follower.fd());
        } catch (IOException e) {
            // e.g. EIO once the filesystem has shut down (its device failing under it)
            throw new IOException("Cannot map \"" + args.path() + "\": " + e.getMessage(), e);
        }
        if (updater.matches(groupId, map)) {
            LOG.trace("Group {} matches {} extent(s)", groupId, map.extents().size());
            regionCount = map.extents().size();
            return null;
        }
        RegionUpdater.Result r;
        updating = true;
        try {
            r = updater.apply(groupId, map);
        } catch (GroupVanishedException e) {
            LOG.warn("{}", e.getMessage());
            return MonitorResult.info("Filemap group removed: exiting.");
        } catch (UpdateException e) {
            String why = e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : "");
            lastError = why;
            LOG.error("{}", why);
            return MonitorResult.error("Failed to update filemap regions for group_id=" + groupId + ".");
        } finally {
            updating = false;
        }
        updates++;
        lastUpdateEpochMillis = System.currentTimeMillis();
        regionCount = r.regionIds().size();
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

    /** Closes the file (as the original does on exit), the watch and the handles. Regions stay. */
    @Override
    public void close() {
        follower.close();
        inotify.close();
        stats.close();
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

    private static void closeQuietly(Inotify inotify, DmStats stats) {
        if (inotify != null) {
            inotify.close();
        }
        if (stats != null) {
            stats.close();
        }
    }
}
