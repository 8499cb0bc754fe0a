package org.dmfilemapd.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InotifyTest {
    private static final int MASK = Inotify.IN_MODIFY | Inotify.IN_ATTRIB | Inotify.IN_DELETE_SELF;

    @TempDir
    Path dir;

    private Path file;
    private Inotify inotify;

    @BeforeEach
    void setUp() throws IOException {
        file = Files.writeString(dir.resolve("watched"), "a");
        inotify = new Inotify();
    }

    @AfterEach
    void tearDown() {
        inotify.close();
    }

    private void append() throws IOException {
        Files.writeString(file, "more", StandardOpenOption.APPEND);
    }

    @Test
    void writeIsReportedAsModify() throws IOException {
        int wd = inotify.addWatch(file.toString(), MASK);
        append();
        Inotify.Events ev = inotify.await(2000);
        assertFalse(ev.timedOut());
        assertFalse(ev.woken());
        assertNotEquals(0, ev.maskFor(wd) & Inotify.IN_MODIFY, "mask " + Integer.toHexString(ev.maskFor(wd)));
        assertEquals(0, ev.maskFor(wd + 1), "no events for another watch");
    }

    @Test
    void nothingHappeningTimesOut() throws IOException {
        inotify.addWatch(file.toString(), MASK);
        Inotify.Events ev = inotify.await(50);
        assertTrue(ev.timedOut());
        assertFalse(ev.woken());
    }

    @Test
    void wakeUnblocksAnEndlessAwait() throws Exception {
        inotify.addWatch(file.toString(), MASK);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch waiting = new CountDownLatch(1);
            Future<Inotify.Events> result = pool.submit(() -> {
                waiting.countDown();
                return inotify.await(-1);
            });
            assertTrue(waiting.await(5, TimeUnit.SECONDS));
            inotify.wake(); // whether it is already in poll() or not, await must return
            Inotify.Events ev = result.get(5, TimeUnit.SECONDS);
            assertTrue(ev.woken());
            assertFalse(ev.timedOut());
        } finally {
            pool.shutdownNow();
        }
        // the wake-up is consumed, not sticky
        assertTrue(inotify.await(50).timedOut());
    }

    @Test
    void wakeLeavesPendingEventsQueued() throws IOException {
        int wd = inotify.addWatch(file.toString(), MASK);
        append();
        inotify.wake();
        assertTrue(inotify.await(2000).woken());
        Inotify.Events ev = inotify.await(2000);
        assertNotEquals(0, ev.maskFor(wd) & Inotify.IN_MODIFY);
    }

    @Test
    void removedWatchReportsIgnored() throws IOException {
        int wd = inotify.addWatch(file.toString(), MASK);
        inotify.removeWatch(wd);
        Inotify.Events ev = inotify.await(2000);
        assertNotEquals(0, ev.maskFor(wd) & Inotify.IN_IGNORED);
        append();
        assertTrue(inotify.await(50).timedOut(), "no events after the watch is gone");
    }

    @Test
    void deleteIsReported() throws IOException {
        int wd = inotify.addWatch(file.toString(), MASK);
        Files.delete(file);
        int seen = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while ((seen & Inotify.IN_DELETE_SELF) == 0 && System.nanoTime() < deadline) {
            seen |= inotify.await(100).maskFor(wd);
        }
        // the unlink itself is an IN_ATTRIB (link count), the inode's release IN_DELETE_SELF
        assertNotEquals(0, seen & Inotify.IN_DELETE_SELF, "mask " + Integer.toHexString(seen));
    }

    @Test
    void watchingAMissingPathIsEnoent() {
        NativeIoException e = assertThrows(NativeIoException.class,
                () -> inotify.addWatch(dir.resolve("missing").toString(), MASK));
        assertEquals(Posix.ENOENT, e.errno());
    }

    @Test
    void closeIsIdempotent() {
        inotify.close();
        inotify.close();
        inotify.wake(); // a no-op once closed
    }

    @Test
    void useAfterCloseIsIllegal() throws IOException {
        int wd = inotify.addWatch(file.toString(), MASK);
        inotify.close();
        assertThrows(IllegalStateException.class, () -> inotify.await(0));
        assertThrows(IllegalStateException.class, () -> inotify.addWatch(file.toString(), MASK));
        assertThrows(IllegalStateException.class, () -> inotify.removeWatch(wd));
    }

    @Test
    void overflowCountsForEveryWatch() {
        Inotify.Events ev = new Inotify.Events(false, new int[] {-1, 4}, new int[] {Inotify.IN_Q_OVERFLOW, 0x2});
        assertEquals(Inotify.IN_Q_OVERFLOW, ev.maskFor(1));
        assertEquals(Inotify.IN_Q_OVERFLOW | Inotify.IN_MODIFY, ev.maskFor(4));
        assertFalse(ev.timedOut());
    }
}
