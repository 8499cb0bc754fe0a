/**
 * The event loop that monitors any number of files, and when it does what. Uses detect,
 * regions, the bindings and the domain types; used by the service and the per-process daemon.
 *
 * <p>One thread ({@code MonitorLoop}) waits on one inotify instance that holds every file's
 * watch ({@code WatchTable}, which counts holds: two monitors of one inode share a watch
 * descriptor) and on the earliest deadline of any monitor ({@code TimerQueue}); other threads
 * reach it through a queue and an eventfd. Per file, {@code MonitorSchedule} decides when work
 * is due: the start reconciles at once, the first change after a quiet spell is applied at
 * once, later ones coalesce to one update per 500 ms with the last change always applied, and
 * every file is re-mapped every 5 s (on common multiples, so idle files cost one hand-off per
 * 5 s together). Only an update that sent dm messages starts the 500 ms interval. Identity
 * checks are event-driven ({@code IN_ATTRIB}, {@code IN_MOVE_SELF}), with polling only while
 * an unlinked file is held elsewhere or a path is missing.
 *
 * <p>The work of a step ({@code FileMonitor.step}: identity check, FIEMAP, compare, update) runs
 * on two workers, one step per file at a time, so a slow file does not hold up the others and
 * an exception ends only its own monitor. Stats handles are shared per (device, program id)
 * ({@code StatsRegistry}, {@code SharedStats}); updates of one device are serialised by the
 * device's lock and every libdevmapper call in the process by one lock. On a 1 s tick
 * {@code DeviceCheck} checks each device once: one {@code @stats_list} ioctl on the loop thread,
 * reduced by the shim to a fingerprint; only a changed listing is parsed, on a worker, and the
 * monitors whose group is gone end. An idle device costs that one ioctl per second, whatever the
 * number of files. {@code CounterCollection} reads a group's counters for the metrics beside the
 * updates, taking the device's lock for at most 64 regions at a time.
 */
package org.dmfilemapd.monitor;
