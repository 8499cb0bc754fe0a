package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.dmfilemapd.background.LaunchException;
import org.dmfilemapd.client.ServiceMode;
import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.launch.Filemapd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java launch API from a JUnit test, against the real kernel and the real command: a
 * process per file ({@code -Ddmfilemapd.service=0}), and the default, the service.
 */
class LaunchApiTest extends OnDmDevice {
    @BeforeAll
    void processPerFile() {
        System.setProperty(ServiceMode.PROPERTY, "0");
    }

    @AfterAll
    void defaults() throws IOException {
        System.clearProperty(ServiceMode.PROPERTY);
        Service.reset(EXIT);
    }

    @Test
    void backgroundStartInTheServiceReturnsTheServicesPid() throws Exception {
        Path f = fragmentable("apisvc", 8);
        long g = Kernel.createGroup(f, false, null, "apisvc");
        int fd = Posix.openReadOnly(f.toString());
        long pid;
        System.setProperty(ServiceMode.PROPERTY, "1");
        try {
            pid = Filemapd.start(fd, g, f.toString(), Mode.INODE, 0, 0);
        } finally {
            System.setProperty(ServiceMode.PROPERTY, "0");
            Posix.close(fd);
        }
        assertEquals(pid, Service.pid().orElseThrow());
        assertTrue(Service.monitors(f, g));
        sh("fallocate -o 64M -l 8M " + f);
        Kernel.awaitInSync(f, g, SYNC);
        Kernel.deleteGroup(f, g, true);
        Service.awaitNotMonitored(f, g, EXIT);
        Service.reset(EXIT);
    }

    @Test
    void backgroundStartReturnsTheMonitoringDaemonsPid() throws Exception {
        Path f = fragmentable("api", 8);
        long g = Kernel.createGroup(f, false, null, "api");
        int fd = Posix.openReadOnly(f.toString()); // O_CLOEXEC: the spawn must still hand it over
        long pid;
        try {
            pid = Filemapd.start(fd, g, f.toString(), Mode.INODE, 0, 0);
        } finally {
            Posix.close(fd);
        }
        assertEquals(pid, Jsvc.awaitDaemon(f, g, EXIT));
        sh("fallocate -o 64M -l 8M " + f);
        Kernel.awaitInSync(f, g, SYNC);
        Kernel.deleteGroup(f, g, true);
        Jsvc.awaitGone(pid, EXIT);
    }

    @Test
    void aStartThatCannotWorkThrowsTheReason() throws IOException {
        Path f = fragmentable("apibad", 8);
        int fd = Posix.openReadOnly(f.toString());
        try {
            LaunchException e = assertThrows(LaunchException.class,
                    () -> Filemapd.start(fd, 3, f.toString(), Mode.PATH, 0, 0));
            assertTrue(e.getMessage().contains("no such group on device"), e.getMessage());
        } finally {
            Posix.close(fd);
        }
    }

    // foreground: the calling thread is the monitor; it returns the daemon's status
    @Test
    void foregroundRunsOnTheCallingThread() throws Exception {
        Path f = fragmentable("apifg", 8);
        long g = Kernel.createGroup(f, false, null, "apifg");
        int fd = Posix.openReadOnly(f.toString());
        CompletableFuture<Long> status = CompletableFuture.supplyAsync(() -> {
            try {
                return Filemapd.start(fd, g, f.toString(), Mode.INODE, 1, 0);
            } catch (LaunchException e) {
                throw new IllegalStateException(e);
            }
        });
        sh("fallocate -o 64M -l 8M " + f);
        Kernel.awaitInSync(f, g, SYNC);
        Kernel.deleteGroup(f, g, true);
        try {
            assertEquals(0L, status.get(30, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }
}
