package org.dmfilemapd.monitor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.dmfilemapd.detect.FileFollower;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.Inotify;
import org.dmfilemapd.jni.NativeIoException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop that runs any number of monitors: one thread waits on one inotify instance
 * (wd to monitors in a {@link WatchTable}) and on the deadlines of every monitor (a
 * {@link TimerQueue}); the work itself (identity checks, mapping, updates, device checks)
 * runs on {@code work}, inline on the loop thread or on a few workers, at most one step per
 * monitor at a time. Every {@value MonitorSchedule#TICK_MS} ms each device is
 * checked with one list ioctl, whatever the number of files on it ({@link DeviceCheck}).
 *
 * <p>Other threads talk to the loop only through {@link #post} (a queue and the inotify
 * instance's eventfd wake). A monitor that fails ends alone with its error.
 */
public final class MonitorLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorLoop.class);

    private final Inotify inotify;
    private final WatchTable watches;
    private final StatsRegistry registry = new StatsRegistry();
    private final TimerQueue<MonitorTask> timers = new TimerQueue<>();
    private final Executor work;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeSent = new AtomicBoolean();
    private final Set<MonitorTask> tasks = new HashSet<>();
    private final Set<SharedStats> checking = new HashSet<>();
    private final long t0 = System.nanoTime();
    private long nextTick = Long.MAX_VALUE;
    private volatile boolean shutdown;

    /** A loop whose work runs on {@code work} ({@code Runnable::run}: on the loop thread). */
    public MonitorLoop(Executor work) throws NativeIoException {
        this.inotify = new Inotify();
        this.watches = new WatchTable(inotify);
        this.work = work;
    }

    /** Starts monitoring {@code m} (any thread); {@code onEnd} runs on the loop thread once it ended and was closed. */
    public void attach(FileMonitor m, Consumer<MonitorResult> onEnd) {
        MonitorTask t = new MonitorTask(m, onEnd);
        m.attached(this, t);
        post(() -> start(t));
    }

    /** Runs {@code r} on the loop thread soon (any thread). */
    void post(Runnable r) {
        inbox.add(r);
        if (wakeSent.compareAndSet(false, true)) {
            inotify.wake();
        }
    }

    /** Asks {@link #run} to return (any thread); monitors still running are not ended. */
    public void shutdown() {
        shutdown = true;
        inotify.wake();
    }

    long now() {
        return (System.nanoTime() - t0) / 1_000_000L;
    }

    /** The loop: runs on the calling thread until {@link #shutdown}. */
    public void run() {
        while (!shutdown) {
            wakeSent.set(false);
            for (Runnable r; (r = inbox.poll()) != null;) {
                guarded(r);
            }
            long now = now();
            if (now >= nextTick) {
                checkDevices();
                nextTick = tasks.isEmpty() ? Long.MAX_VALUE : MonitorSchedule.nextTick(now);
            }
            List<MonitorTask> due = new ArrayList<>();
            for (MonitorTask t; (t = timers.pollDue(now)) != null;) {
                due.add(t);
            }
            if (!due.isEmpty()) {
                guarded(() -> advanceAll(due, now));
            }
            if (!inbox.isEmpty() || shutdown) {
                continue;
            }
            long deadline = Math.min(timers.nextDue(), nextTick);
            int timeout = deadline == Long.MAX_VALUE ? -1 : (int) Math.max(0, Math.min(deadline - now, Integer.MAX_VALUE));
            Inotify.Events ev;
            try {
                ev = inotify.await(timeout);
            } catch (NativeIoException e) {
                // the instance is unusable: every monitor on it ends with the error
                for (MonitorTask t : new ArrayList<>(tasks)) {
                    end(t, MonitorResult.error(e.getMessage()));
                }
                continue;
            }
            if (!ev.woken() && !ev.timedOut()) {
                guarded(() -> dispatch(ev));
            }
        }
    }

    private static void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure in the monitor loop", e);
        }
    }

    /** On the loop thread: binds {@code t} to its device's handle and its watch, then runs its first step. */
    private void start(MonitorTask t) {
        FileMonitor m = t.monitor;
        tasks.add(t);
        if (nextTick == Long.MAX_VALUE) {
            nextTick = MonitorSchedule.nextTick(now());
        }
        if (m.stopRequested()) {
            finish(t, MonitorResult.STOPPED);
            return;
        }
        try {
            m.follower().attach(watches.forOwner(t));
        } catch (java.io.IOException e) {
            finish(t, MonitorResult.error(m.who() + e.getMessage()));
            return;
        }
        t.schedule = new MonitorSchedule(now());
        advance(t, now());
    }

    /** Starts {@code t}'s next step if one is due, else arms its deadline. */
    private void advance(MonitorTask t, long now) {
        if (t.busy || t.ended) {
            return;
        }
        MonitorSchedule.Step step = t.schedule.begin(now);
        if (step == null) {
            timers.arm(t);
            return;
        }
        t.busy = true;
        work.execute(() -> {
            FileMonitor.StepResult r = runStep(t, step);
            post(() -> stepDone(t, step, r));
        });
    }

    /**
     * Starts the steps due at one deadline (mostly the periodic remaps that fall on a shared
     * tick) as one batch: one hand-off to a worker and one back, not one each per file, so
     * idle files add no wake-ups. A batch runs on one worker; events are handed off one by one
     * ({@link #advance}), so they need not wait for it.
     */
    private void advanceAll(List<MonitorTask> due, long now) {
        if (due.size() == 1) {
            advance(due.get(0), now);
            return;
        }
        List<MonitorTask> ts = new ArrayList<>(due.size());
        List<MonitorSchedule.Step> steps = new ArrayList<>(due.size());
        for (MonitorTask t : due) {
            if (t.busy || t.ended) {
                continue;
            }
            MonitorSchedule.Step step = t.schedule.begin(now);
            if (step == null) {
                timers.arm(t);
                continue;
            }
            t.busy = true;
            ts.add(t);
            steps.add(step);
        }
        if (ts.isEmpty()) {
            return;
        }
        work.execute(() -> {
            List<FileMonitor.StepResult> rs = new ArrayList<>(ts.size());
            for (int i = 0; i < ts.size(); i++) {
                rs.add(runStep(ts.get(i), steps.get(i)));
            }
            post(() -> {
                for (int i = 0; i < ts.size(); i++) {
                    int k = i;
                    guarded(() -> stepDone(ts.get(k), steps.get(k), rs.get(k)));
                }
            });
        });
    }

    /** A step, on a worker (or inline); whatever goes wrong ends this monitor only. */
    private FileMonitor.StepResult runStep(MonitorTask t, MonitorSchedule.Step step) {
        FileMonitor m = t.monitor;
        try {
            if (t.stats == null) {
                // the first step joins the device's handle (listing it if it is the first), off the loop thread
                try {
                    t.stats = registry.join(t, m.file().devMajor(), m.file().devMinor(), m.programId());
                } catch (DmException e) {
                    return new FileMonitor.StepResult(null, MonitorResult.error(m.who()
                            + "cannot list the stats regions of device " + m.file().device() + ": " + e.getMessage()));
                }
            }
            return m.step(step, t.stats);
        } catch (RuntimeException | Error e) {
            LOG.error("Unexpected failure", e);
            return new FileMonitor.StepResult(null, MonitorResult.error("Unexpected failure: " + e));
        }
    }

    private void stepDone(MonitorTask t, MonitorSchedule.Step step, FileMonitor.StepResult r) {
        t.busy = false;
        if (r.end() != null) {
            finish(t, r.end());
        } else if (t.pendingEnd != null) {
            finish(t, t.pendingEnd);
        } else {
            long now = now();
            if (step.check()) {
                t.schedule.checked(step, now, r.verdict());
            }
            if (r.mapped() != FileMonitor.Mapped.NO) {
                t.schedule.reconciled(step, r.mapped() == FileMonitor.Mapped.UPDATED);
            }
            advance(t, now);
        }
    }

    /** Ends {@code t} with {@code result} now, or when its running step is back (loop thread). */
    void end(MonitorTask t, MonitorResult result) {
        if (t.ended) {
            return;
        }
        if (t.busy) {
            if (t.pendingEnd == null) {
                t.pendingEnd = result;
            }
            return;
        }
        finish(t, result);
    }

    private void finish(MonitorTask t, MonitorResult result) {
        t.ended = true;
        tasks.remove(t);
        t.monitor.ended(result);
        SharedStats s = t.stats;
        if (s != null) {
            work.execute(() -> registry.leave(t, s)); // takes the device lock: not on the loop thread
        }
        try {
            t.onEnd.accept(result);
        } catch (RuntimeException e) {
            LOG.error("Failure in a monitor's end callback", e);
        }
    }

    /** inotify events: changes and identity events to every monitor holding the watch. */
    private void dispatch(Inotify.Events ev) {
        Map<MonitorTask, Integer> masks = new LinkedHashMap<>();
        List<Integer> ignored = new ArrayList<>();
        for (int i = 0; i < ev.wds().length; i++) {
            int mask = ev.masks()[i];
            List<MonitorTask> to = (mask & Inotify.IN_Q_OVERFLOW) != 0 ? watches.allHolders()
                    : watches.holders(ev.wds()[i]);
            for (MonitorTask t : to) {
                masks.merge(t, mask, (a, b) -> a | b);
            }
            if ((mask & Inotify.IN_IGNORED) != 0) {
                ignored.add(ev.wds()[i]);
            }
        }
        ignored.forEach(watches::forget);
        long now = now();
        masks.forEach((t, mask) -> {
            if (t.ended) {
                return;
            }
            if ((mask & (FileFollower.CHANGE_EVENTS | Inotify.IN_Q_OVERFLOW)) != 0) {
                t.schedule.changed();
            }
            if ((mask & (FileFollower.IDENTITY_EVENTS | Inotify.IN_Q_OVERFLOW)) != 0) {
                t.schedule.identityEvent(); // look at the file now (a lost event may have been an unlink)
            }
            advance(t, now);
        });
    }

    /** Checks each device once (loop thread) and ends the monitors whose group is gone. */
    private void checkDevices() {
        for (SharedStats s : registry.handles()) {
            if (checking.contains(s)) {
                continue; // the last check of this handle is still running
            }
            if (DeviceCheck.quiet(s)) {
                continue; // one ioctl here: nothing changed on the device, no hand-off
            }
            checking.add(s);
            work.execute(() -> {
                List<Map.Entry<MonitorTask, MonitorResult>> ends = List.of();
                try {
                    ends = DeviceCheck.run(s);
                } catch (RuntimeException | Error e) {
                    LOG.error("Unexpected failure checking device {}:{}", s.major, s.minor, e);
                }
                List<Map.Entry<MonitorTask, MonitorResult>> found = ends;
                post(() -> {
                    checking.remove(s);
                    found.forEach(e -> end(e.getKey(), e.getValue()));
                });
            });
        }
    }

    /** Monitors running (loop thread). */
    int size() {
        return tasks.size();
    }

    /** Watches held on the shared instance (tests). */
    int watchCount() {
        return watches.size();
    }

    /** Closes the inotify instance; only after {@link #run} returned. */
    @Override
    public void close() {
        inotify.close();
    }
}
