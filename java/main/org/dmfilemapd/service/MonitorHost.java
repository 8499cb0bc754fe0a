package org.dmfilemapd.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.monitor.MonitorLoop;

/**
 * Runs any number of file monitors on one shared {@link MonitorLoop}, independent of how the
 * process was started (command, jsvc, in-process API). A fixed set of threads, whatever the
 * number of files: the loop, {@value #WORKERS} workers (so one slow file does not hold up
 * the others) and one thread that reports ends. Started with the first monitor.
 */
public final class MonitorHost {
    static final int WORKERS = 2;
    /** Prefix of the host's thread names. */
    public static final String THREAD_PREFIX = "dmfilemapd-";

    private final List<FileMonitor> running = new ArrayList<>();
    private MonitorLoop loop;
    private ExecutorService workers;
    private ExecutorService reports;

    /**
     * Starts {@code monitor}; {@code onEnd} runs on the host's report thread after the monitor
     * ended (by itself, by {@link #forget} or by {@link #stopAll}) and was closed.
     */
    public void start(FileMonitor monitor, Consumer<MonitorResult> onEnd) {
        MonitorLoop l;
        synchronized (this) {
            try {
                l = loop();
            } catch (NativeIoException e) {
                monitor.close();
                onEnd.accept(MonitorResult.error(e.getMessage()));
                return;
            }
            running.add(monitor);
        }
        l.attach(monitor, result -> {
            remove(monitor);
            reports.execute(() -> onEnd.accept(result));
        });
    }

    private MonitorLoop loop() throws NativeIoException {
        if (loop == null) {
            workers = fixedPool("worker", WORKERS);
            reports = fixedPool("report", 1);
            loop = new MonitorLoop(workers);
            Thread t = new Thread(loop::run, THREAD_PREFIX + "loop");
            t.setDaemon(true); // the JVM's exit is the daemon's business, not the loop's
            t.start();
        }
        return loop;
    }

    private static ExecutorService fixedPool(String name, int n) {
        AtomicInteger seq = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, THREAD_PREFIX + name + "-" + seq.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.prestartAllCoreThreads(); // a fixed count from the start, not one more per busy moment
        return pool;
    }

    private synchronized void remove(FileMonitor monitor) {
        running.remove(monitor);
        notifyAll();
    }

    public synchronized int size() {
        return running.size();
    }

    /** What every running monitor does, in start order. */
    public synchronized List<MonitorStatus> status() {
        return running.stream().map(FileMonitor::status).toList();
    }

    /**
     * Stops the monitors whose status matches (their regions stay), without waiting for them
     * to end; their {@code onEnd} sees {@link MonitorResult#STOPPED}. Returns how many.
     */
    public int forget(Predicate<MonitorStatus> which) {
        List<FileMonitor> now;
        synchronized (this) {
            now = running.stream().filter(m -> which.test(m.status())).toList();
        }
        now.forEach(FileMonitor::stop);
        return now.size();
    }

    /** Stops every monitor and waits up to {@code timeoutMillis} in all for them to end. Regions stay. */
    public void stopAll(long timeoutMillis) {
        List<FileMonitor> now;
        synchronized (this) {
            now = new ArrayList<>(running);
        }
        now.forEach(FileMonitor::stop);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (this) {
            while (now.stream().anyMatch(running::contains)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    // an update under way runs to its end: cut short, it would leave the group untagged
                    if (now.stream().noneMatch(m -> running.contains(m) && m.updating())) {
                        return;
                    }
                    left = 100;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
