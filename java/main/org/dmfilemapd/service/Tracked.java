package org.dmfilemapd.service;

import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.UnixSocket;
import org.dmfilemapd.monitor.FileMonitor;

/**
 * One file the service monitors: its monitor, the fd it was handed (to find where an inode
 * moved), its verbosity, and for a foreground hand-over the connection of the command that
 * waits for the result.
 */
final class Tracked {
    final FileMonitor monitor;
    final int fd;
    final int verbose;
    /** The waiting command's connection, or null for a background hand-over or a re-adoption. */
    final UnixSocket waiter;
    /** Set before a stop that must not count as the file's end (forget, the waiter's stop). */
    volatile boolean forgotten;
    volatile boolean ended;
    final java.util.concurrent.CountDownLatch endedLatch = new java.util.concurrent.CountDownLatch(1);
    private volatile String lastPath;

    Tracked(FileMonitor monitor, int fd, int verbose, UnixSocket waiter, String path) {
        this.monitor = monitor;
        this.fd = fd;
        this.verbose = verbose;
        this.waiter = waiter;
        this.lastPath = path;
    }

    /** The monitor's status, with the file's current path. */
    MonitorStatus status() {
        MonitorStatus s = monitor.status();
        String now = currentPath(s);
        return now.equals(s.path()) ? s : s.withPath(now);
    }

    AdoptedFile toAdopt() {
        MonitorStatus s = status();
        return new AdoptedFile(s.path(), s.mode(), s.devMajor(), s.devMinor(), s.ino(), s.groupId(), verbose);
    }

    /**
     * Path mode: the path. Inode mode: where the handed fd's inode is now, if the fd still
     * names that inode (checked by device and inode, since an ended monitor's fd number may
     * already be reused) and it was not unlinked; else the last path known.
     */
    private String currentPath(MonitorStatus s) {
        if (s.mode() == Mode.PATH || ended) {
            return s.mode() == Mode.PATH ? s.path() : lastPath;
        }
        try {
            String link = Posix.readlink("/proc/self/fd/" + fd);
            if (link.startsWith("/") && !link.endsWith(" (deleted)")) {
                FileStat st = Posix.stat(link);
                if (st.ino() == s.ino() && st.devMajor() == s.devMajor() && st.devMinor() == s.devMinor()) {
                    lastPath = link;
                }
            }
        } catch (NativeIoException e) {
            // closed meanwhile, or the name went away: keep the last one
        }
        return lastPath;
    }

    /** Same file by identity: the lock makes (device, group) unique among running monitors. */
    boolean is(MonitorStatus s) {
        MonitorStatus mine = monitor.status();
        return mine.devMajor() == s.devMajor() && mine.devMinor() == s.devMinor() && mine.groupId() == s.groupId()
                && mine.ino() == s.ino();
    }
}
