package org.dmfilemapd.monitor;

import java.util.function.Consumer;

import org.dmfilemapd.domain.MonitorResult;

/**
 * A monitor's place on a loop: its schedule, its shared handle, and whether a step of it is
 * running (at most one at a time, so one file's work is never concurrent with itself).
 * Fields are the loop thread's, except what a running step reads ({@link #stats}).
 */
final class MonitorTask implements TimerQueue.Owner {
    final FileMonitor monitor;
    final Consumer<MonitorResult> onEnd;
    MonitorSchedule schedule;
    volatile SharedStats stats;
    boolean busy;
    boolean ended;
    /** An end decided while a step ran (stop, group gone): applied when the step is back. */
    MonitorResult pendingEnd;

    MonitorTask(FileMonitor monitor, Consumer<MonitorResult> onEnd) {
        this.monitor = monitor;
        this.onEnd = onEnd;
    }

    @Override
    public long due() {
        return busy || ended || schedule == null ? Long.MAX_VALUE : schedule.deadline();
    }
}
