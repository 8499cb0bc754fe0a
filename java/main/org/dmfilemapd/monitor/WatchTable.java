package org.dmfilemapd.monitor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.dmfilemapd.detect.FileFollower;
import org.dmfilemapd.detect.Watches;
import org.dmfilemapd.jni.Inotify;
import org.dmfilemapd.jni.NativeIoException;

/**
 * The watches of every monitor on one inotify instance: watch descriptor to the monitors
 * holding it. Two monitors watching the same inode get the same wd from the kernel, so a
 * watch is a shared hold: removed from the kernel only when its last holder lets go.
 * Thread-safe (followers add watches from worker threads, the loop looks them up).
 */
final class WatchTable {
    /** Everything a follower needs to hear about. */
    static final int MASK = FileFollower.CHANGE_EVENTS | FileFollower.IDENTITY_EVENTS;

    private final Inotify inotify;
    private final Map<Integer, List<MonitorTask>> holders = new HashMap<>();

    WatchTable(Inotify inotify) {
        this.inotify = inotify;
    }

    /** {@code owner}'s view of the table. */
    Watches forOwner(MonitorTask owner) {
        return new Watches() {
            @Override
            public int add(String path) throws NativeIoException {
                return WatchTable.this.add(path, owner);
            }

            @Override
            public void remove(int wd) {
                WatchTable.this.remove(wd, owner);
            }
        };
    }

    // the lock spans the syscall: an event for a new wd is never looked up before it is known
    synchronized int add(String path, MonitorTask owner) throws NativeIoException {
        int wd = inotify.addWatch(path, MASK);
        holders.computeIfAbsent(wd, k -> new ArrayList<>(1)).add(owner);
        return wd;
    }

    synchronized void remove(int wd, MonitorTask owner) {
        List<MonitorTask> list = holders.get(wd);
        if (list == null || !list.remove(owner)) {
            return; // gone with its inode already (IN_IGNORED)
        }
        if (list.isEmpty()) {
            holders.remove(wd);
            try {
                inotify.removeWatch(wd);
            } catch (NativeIoException | IllegalStateException e) {
                // the kernel dropped it meanwhile, or the instance is closed
            }
        }
    }

    /** The monitors holding {@code wd} (a copy). */
    synchronized List<MonitorTask> holders(int wd) {
        List<MonitorTask> list = holders.get(wd);
        return list == null ? List.of() : List.copyOf(list);
    }

    /** The kernel removed {@code wd} (IN_IGNORED): nobody holds it any more. */
    synchronized void forget(int wd) {
        holders.remove(wd);
    }

    /** Every monitor holding a watch (for a queue overflow: events were lost). */
    synchronized List<MonitorTask> allHolders() {
        Set<MonitorTask> all = new LinkedHashSet<>();
        holders.values().forEach(all::addAll);
        return new ArrayList<>(all);
    }

    synchronized int size() {
        return holders.size();
    }
}
