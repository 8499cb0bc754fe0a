package org.dmfilemapd.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a file that holds its owner's pid. Taking the lock is the check, so
 * two processes starting at once cannot both get it; the kernel drops it when the process
 * ends, however it ends. The file stays after release: removing it would race with the next
 * owner.
 */
public final class PidLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private PidLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock on {@code p} (its directory must exist), or throws {@link Held}. */
    public static PidLock acquire(Path p) throws IOException {
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it already
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        try {
            if (lock == null) {
                String owner = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).trim();
                throw new Held(owner.isEmpty() ? "?" : owner);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new PidLock(ch, lock);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock in any case
        }
    }

    /** Someone else holds the lock. */
    public static final class Held extends IOException {
        private static final long serialVersionUID = 1L;
        private final String owner;

        Held(String owner) {
            super("held by pid " + owner);
            this.owner = owner;
        }

        /** The holder's pid as its file says, or "?". */
        public String owner() {
            return owner;
        }
    }
}
