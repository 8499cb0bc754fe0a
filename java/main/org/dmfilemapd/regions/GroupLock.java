package org.dmfilemapd.regions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.dmfilemapd.sys.PidLock;
import org.dmfilemapd.sys.Pidfile;

/**
 * One monitor per group, whatever started it: an exclusive {@link PidLock} on
 * {@code /run/dmfilemapd/dm-<major>-<minor>-group-<id>.lock}, held for the monitor's life.
 * Taking the lock is the check: no window between looking and starting.
 */
public final class GroupLock implements AutoCloseable {
    private final PidLock lock;
    final long groupId;

    private GroupLock(PidLock lock, long groupId) {
        this.lock = lock;
        this.groupId = groupId;
    }

    static Path path(int major, int minor, long groupId) {
        return Pidfile.dir().resolve("dm-" + major + "-" + minor + "-group-" + groupId + ".lock");
    }

    /** Takes the lock, or throws {@link AlreadyMonitoredException} naming the holder's pid. */
    public static GroupLock acquire(int major, int minor, long groupId) throws IOException {
        Files.createDirectories(Pidfile.dir());
        try {
            return new GroupLock(PidLock.acquire(path(major, minor, groupId)), groupId);
        } catch (PidLock.Held e) {
            throw new AlreadyMonitoredException("group " + groupId + " on device " + major + ":" + minor
                    + " is already monitored by pid " + e.owner());
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        lock.close();
    }

    /** Another monitor holds the group. */
    public static final class AlreadyMonitoredException extends IOException {
        private static final long serialVersionUID = 1L;

        AlreadyMonitoredException(String message) {
            super(message);
        }
    }
}
