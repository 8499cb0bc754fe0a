package org.dmfilemapd.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.jni.DmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic group check of one shared handle (the original lists once per interval per
 * file). {@link #quiet} first, on the loop thread: one list ioctl whose text is compared by
 * fingerprint with the listing the members were last judged on; when it reads the same there
 * is nothing to do, and an idle device costs that one ioctl. Otherwise {@link #run}, on a
 * worker: list (libdm parses it) and look every member's group up. Left to the next interval
 * if an update holds the device for long (that update lists for itself).
 */
final class DeviceCheck {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceCheck.class);

    /** How long to wait for an update on the device before leaving the check to the next interval. */
    static final long WAIT_MS = MonitorSchedule.TICK_MS / 2;

    private DeviceCheck() {
    }

    /**
     * True if the device's listing reads as when its members were last judged (loop thread,
     * never waits: false when an update holds the device, so {@link #run} decides).
     */
    static boolean quiet(SharedStats s) {
        if (!s.lock.tryLock()) {
            return false;
        }
        try {
            return s.unchangedSinceJudged();
        } catch (DmException e) {
            return false; // run() lists and reports it
        } finally {
            s.lock.unlock();
        }
    }

    /** The members that must end, with their result. */
    static List<Map.Entry<MonitorTask, MonitorResult>> run(SharedStats s) {
        List<Map.Entry<MonitorTask, MonitorResult>> ends = new ArrayList<>();
        try {
            if (!s.lock.tryLock(WAIT_MS, TimeUnit.MILLISECONDS)) {
                return ends;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ends;
        }
        try {
            if (s.closed()) {
                return ends;
            }
            List<MonitorTask> members = List.copyOf(s.members());
            try {
                s.list();
            } catch (DmException e) {
                LOG.error("{}", e.getMessage());
                members.forEach(t -> ends.add(Map.entry(t, MonitorResult.error("Failed to list stats handle."))));
                return ends;
            }
            for (MonitorTask t : members) {
                if (!s.stats().groupPresent(t.monitor.groupId())) {
                    ends.add(Map.entry(t, MonitorResult.info("Filemap group removed: exiting.")));
                }
            }
            if (ends.isEmpty()) {
                s.judged(); // (members join and leave under the lock: none did meanwhile)
            }
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure checking device {}:{}", s.major, s.minor, e);
        } finally {
            s.lock.unlock();
        }
        return ends;
    }
}
