package org.dmfilemapd.service;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link MemoryTrim} once the process has been quiet for a while after its start or its
 * last hand-over: those load code and classes the monitors then no longer run. Monitoring
 * itself does not re-arm it (the pages of the update path are the ones to keep). A thread
 * exists only while a trim is pending, so the idle process has no thread and no wake-up more.
 * {@code DMFILEMAPD_TRIM} sets the quiet time in seconds; 0 turns trimming off. Create it
 * after logging is configured (its logger is static).
 */
final class IdleTrim {
    static final String ENV = "DMFILEMAPD_TRIM";
    static final long DEFAULT_QUIET_SECONDS = 30;

    private static final Logger LOG = LoggerFactory.getLogger("dmfilemapd.service");

    private final long quietNanos;
    private long due; // guarded by this
    private Thread waiter; // guarded by this

    IdleTrim(long quietSeconds) {
        this.quietNanos = TimeUnit.SECONDS.toNanos(quietSeconds);
    }

    /** From the environment: {@value #ENV} seconds of quiet, 0 for never; a bad value is logged and ignored. */
    static IdleTrim fromEnvironment() {
        return new IdleTrim(quietSeconds(System.getenv(ENV)));
    }

    static long quietSeconds(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_QUIET_SECONDS;
        }
        try {
            long s = Long.parseLong(value.trim());
            if (s >= 0 && s <= TimeUnit.DAYS.toSeconds(1)) {
                return s;
            }
        } catch (NumberFormatException e) {
            // logged below
        }
        LOG.warn("Ignoring {}={}: not a number of seconds from 0 (off) to 86400; using {}.", ENV, value,
                DEFAULT_QUIET_SECONDS);
        return DEFAULT_QUIET_SECONDS;
    }

    boolean enabled() {
        return quietNanos > 0;
    }

    /** Something loaded new code (a start, a hand-over): trim once the quiet time has passed after it. */
    synchronized void activity() {
        if (!enabled()) {
            return;
        }
        due = System.nanoTime() + quietNanos;
        if (waiter == null) {
            waiter = new Thread(this::awaitQuiet, MonitorHost.THREAD_PREFIX + "trim");
            waiter.setDaemon(true);
            waiter.start();
        }
    }

    private void awaitQuiet() {
        synchronized (this) {
            try {
                for (long left; (left = due - System.nanoTime()) > 0;) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                waiter = waiter == Thread.currentThread() ? null : waiter;
            }
        }
        try {
            MemoryTrim.Result r = MemoryTrim.trim();
            if (r.failures() == r.mappings() && r.mappings() > 0) {
                LOG.debug("Cannot return start-up memory to the kernel (madvise MADV_PAGEOUT: errno {}; Linux 5.4 "
                        + "or later has it).", r.firstErrno());
            } else {
                LOG.info("Returned start-up memory to the kernel: resident {} -> {} KiB ({} file mappings).",
                        r.residentBefore() / 1024, r.residentAfter() / 1024, r.mappings());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot return start-up memory to the kernel: {}", e.toString());
        }
    }
}
