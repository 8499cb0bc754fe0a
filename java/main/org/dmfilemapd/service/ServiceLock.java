package org.dmfilemapd.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One service per host: an exclusive lock on {@code /run/dmfilemapd/service.lock}, held for
 * the service's life (the kernel drops it however the process ends). Only its holder may
 * (re)create the socket, so two services started at once cannot both listen.
 */
final class ServiceLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private ServiceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or throws naming the service that holds it. */
    static ServiceLock acquire() throws IOException {
        Path dir = ServicePaths.lock().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path p = ServicePaths.lock();
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // this JVM runs a service already
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String owner = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).trim();
            ch.close();
            throw new IOException("the dmfilemapd service already runs (pid " + (owner.isEmpty() ? "?" : owner) + ")");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        return new ServiceLock(ch, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing releases the lock in any case
        }
    }
}
