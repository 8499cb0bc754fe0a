package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.Path;

import org.dmfilemapd.jni.Inotify;

/**
 * Stamps the moment a file changes: a thread blocked on its own inotify watch sees the
 * IN_MODIFY the kernel raises when fallocate or write completes, the same event the daemon
 * wakes on. This keeps the writer's process start-up out of the latency.
 */
final class ChangeClock implements AutoCloseable {
    private final Inotify inotify;
    private final Thread thread;
    private volatile long lastChange;
    private volatile long changes;
    private volatile boolean stop;

    ChangeClock(Path file) throws IOException {
        inotify = new Inotify();
        int wd = inotify.addWatch(file.toString(), Inotify.IN_MODIFY);
        thread = new Thread(() -> {
            try {
                while (!stop) {
                    Inotify.Events ev = inotify.await(-1);
                    if ((ev.maskFor(wd) & Inotify.IN_MODIFY) != 0) {
                        lastChange = System.nanoTime();
                        changes++;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "change-clock");
        thread.setDaemon(true);
        thread.start();
    }

    long changes() {
        return changes;
    }

    long lastChange() {
        return lastChange;
    }

    /** Waits until more than {@code seen} changes were stamped; returns the latest stamp. */
    long awaitChangeAfter(long seen, long timeoutMs) {
        long end = System.nanoTime() + timeoutMs * 1_000_000L;
        while (changes <= seen) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("no inotify event within " + timeoutMs + " ms");
            }
            Thread.onSpinWait();
            Pause.ms(1);
        }
        return lastChange;
    }

    @Override
    public void close() {
        stop = true;
        inotify.wake();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inotify.close();
    }
}
