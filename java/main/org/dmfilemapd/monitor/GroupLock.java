package org.dmfilemapd.monitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.dmfilemapd.launch.Pidfile;

/**
 * One monitor per group, whatever started it: an exclusive lock on
 * {@code /run/dmfilemapd/dm-<major>-<minor>-group-<id>.lock}, held for the monitor's life
 * (the kernel drops it when the process ends, however it ends). Taking the lock is the check:
 * no window between looking and starting. The file holds the owner's pid for the message.
 */
final class GroupLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;
    final long groupId;

    private GroupLock(FileChannel channel, FileLock lock, long groupId) {
        this.channel = channel;
        this.lock = lock;
        this.groupId = groupId;
    }

    static Path path(int major, int minor, long groupId) {
        return Pidfile.dir().resolve("dm-" + major + "-" + minor + "-group-" + groupId + ".lock");
    }

    /** Takes the lock, or throws {@link AlreadyMonitoredException} naming the holder's pid. */
    static GroupLock acquire(int major, int minor, long groupId) throws IOException {
        Files.createDirectories(Pidfile.dir());
        Path p = path(major, minor, groupId);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM already monitors it
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String owner = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).trim();
            ch.close();
            throw new AlreadyMonitoredException("group " + groupId + " on device " + major + ":" + minor
                    + " is already monitored by pid " + (owner.isEmpty() ? "?" : owner));
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        return new GroupLock(ch, lock, groupId);
    }

    /** Releases the lock (the file stays: removing it would race with a new owner). */
    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock in any case
        }
    }

    /** Another monitor holds the group. */
    static final class AlreadyMonitoredException extends IOException {
        private static final long serialVersionUID = 1L;

        AlreadyMonitoredException(String message) {
            super(message);
        }
    }
}
