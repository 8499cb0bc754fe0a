package org.dmfilemapd.monitor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import org.dmfilemapd.jni.DmException;

/**
 * The shared stats handles of a loop, one per (device, program id), and one lock per
 * device. A handle lives while a monitor uses it. Thread-safe.
 */
final class StatsRegistry {
    private record Key(int major, int minor, String programId) {
    }

    private final Map<Key, SharedStats> handles = new HashMap<>();
    private final Map<Long, ReentrantLock> deviceLocks = new HashMap<>();

    /** The handle for {@code t}'s device and program id, created (and listed) if there is none. */
    SharedStats join(MonitorTask t, int major, int minor, String programId) throws DmException {
        String prog = programId == null ? "" : programId;
        Key k = new Key(major, minor, prog);
        SharedStats s;
        ReentrantLock lock;
        synchronized (this) {
            s = handles.get(k);
            lock = deviceLocks.computeIfAbsent(((long) major << 32) | (minor & 0xffffffffL), d -> new ReentrantLock());
        }
        lock.lock();
        try {
            synchronized (this) {
                s = handles.get(k);
            }
            if (s == null) {
                s = new SharedStats(major, minor, prog, lock);
                synchronized (this) {
                    handles.put(k, s);
                }
            }
            s.join(t);
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** {@code t} no longer uses {@code s}; the last user closes it. */
    void leave(MonitorTask t, SharedStats s) {
        s.lock.lock();
        try {
            if (s.leave(t)) {
                synchronized (this) {
                    handles.remove(new Key(s.major, s.minor, s.programId));
                }
                s.close();
            }
        } finally {
            s.lock.unlock();
        }
    }

    /** Every live handle (a copy). */
    synchronized List<SharedStats> handles() {
        return new ArrayList<>(handles.values());
    }
}
