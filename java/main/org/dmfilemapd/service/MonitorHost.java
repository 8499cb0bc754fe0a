package org.dmfilemapd.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.monitor.MonitorResult;
import org.dmfilemapd.monitor.MonitorStatus;

/**
 * Runs any number of file monitors, each on a thread of its own, independent of how the
 * process was started (command, jsvc, in-process API). Reports each monitor's end.
 */
public final class MonitorHost {
    private final List<Running> running = new ArrayList<>();

    private record Running(FileMonitor monitor, Thread thread) {
    }

    /**
     * Starts {@code monitor}; {@code onEnd} runs on the monitor's thread after it ended
     * (by itself or by {@link #stopAll}) and was closed.
     */
    public synchronized void start(FileMonitor monitor, Consumer<MonitorResult> onEnd) {
        Thread t = new Thread(() -> {
            MonitorResult result;
            try {
                result = monitor.run();
            } finally {
                monitor.close();
                remove(monitor);
            }
            onEnd.accept(result);
        }, "monitor-" + monitor.groupId());
        running.add(new Running(monitor, t));
        t.start();
    }

    private synchronized void remove(FileMonitor monitor) {
        running.removeIf(r -> r.monitor == monitor);
    }

    public synchronized int size() {
        return running.size();
    }

    /** What every running monitor does, in start order. */
    public synchronized List<MonitorStatus> status() {
        return running.stream().map(r -> r.monitor.status()).toList();
    }

    /**
     * Stops the monitors whose status matches (their regions stay), without waiting for them
     * to end; their {@code onEnd} sees {@link MonitorResult#STOPPED}. Returns how many.
     */
    public int forget(Predicate<MonitorStatus> which) {
        List<Running> now;
        synchronized (this) {
            now = running.stream().filter(r -> which.test(r.monitor.status())).toList();
        }
        now.forEach(r -> r.monitor.stop());
        return now.size();
    }

    /** Stops every monitor and waits up to {@code timeoutMillis} in all for them to end. Regions stay. */
    public void stopAll(long timeoutMillis) {
        List<Running> now;
        synchronized (this) {
            now = new ArrayList<>(running);
        }
        for (Running r : now) {
            r.monitor.stop();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Running r : now) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (r.thread == Thread.currentThread()) {
                continue;
            }
            try {
                if (left > 0) {
                    r.thread.join(left);
                }
                // an update under way runs to its end: cut short, it would leave the group untagged
                while (r.thread.isAlive() && r.monitor.updating()) {
                    r.thread.join(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
