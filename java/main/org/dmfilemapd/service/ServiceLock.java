package org.dmfilemapd.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.dmfilemapd.sys.PidLock;

/**
 * One service per host: an exclusive {@link PidLock} on {@code /run/dmfilemapd/service.lock},
 * held for the service's life. Only its holder may (re)create the socket, so two services
 * started at once cannot both listen.
 */
final class ServiceLock implements AutoCloseable {
    private final PidLock lock;

    private ServiceLock(PidLock lock) {
        this.lock = lock;
    }

    /** Takes the lock, or throws naming the service that holds it. */
    static ServiceLock acquire() throws IOException {
        Path dir = ServicePaths.lock().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        try {
            return new ServiceLock(PidLock.acquire(ServicePaths.lock()));
        } catch (PidLock.Held e) {
            throw new IOException("the dmfilemapd service already runs (pid " + e.owner() + ")");
        }
    }

    @Override
    public void close() {
        lock.close();
    }
}
