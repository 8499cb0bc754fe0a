package org.dmfilemapd.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.dmfilemapd.detect.FileFollower;
import org.dmfilemapd.detect.InodeFollower;
import org.dmfilemapd.detect.MonitoredFile;
import org.dmfilemapd.detect.Verdict;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.jni.Inotify;
import org.dmfilemapd.jni.Posix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor looks at a file's identity only on events (and with each remap): these are the
 * events it relies on, raised by the real kernel on a watch placed as the followers place it
 * (through /proc/self/fd), and the inode follower's verdicts that follow them.
 */
class IdentityEventsTest {
    @TempDir
    Path dir;

    private Inotify inotify;
    private Path file;
    private int fd = -1;
    private Process holder;

    @BeforeEach
    void setUp() throws IOException {
        inotify = new Inotify();
        file = Files.writeString(dir.resolve("f"), "data");
        fd = Posix.openReadOnly(file.toString());
    }

    @AfterEach
    void tearDown() throws IOException {
        if (holder != null) {
            holder.destroyForcibly();
        }
        if (fd >= 0 && Posix.isOpen(fd)) {
            Posix.close(fd);
        }
        inotify.close();
    }

    private int watch() throws IOException {
        return inotify.addWatch("/proc/self/fd/" + fd, WatchTable.MASK);
    }

    /** The events of {@code wd} from one read (waits up to 5 s for the first). */
    private int eventsOf(int wd) throws IOException {
        Inotify.Events ev = inotify.await(5000);
        assertFalse(ev.timedOut(), "no event");
        return ev.maskFor(wd);
    }

    @Test
    void unlinkRaisesAnIdentityEvent() throws IOException {
        int wd = watch();
        Files.delete(file);
        int mask = eventsOf(wd);
        assertNotEquals(0, mask & Inotify.IN_ATTRIB, Integer.toHexString(mask));
        assertNotEquals(0, mask & FileFollower.IDENTITY_EVENTS);
    }

    @Test
    void aFileRenamedOverThePathRaisesAnIdentityEventOnTheOldOne() throws IOException {
        int wd = watch();
        Path next = Files.writeString(dir.resolve("f.new"), "other");
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        int mask = eventsOf(wd);
        assertNotEquals(0, mask & Inotify.IN_ATTRIB, Integer.toHexString(mask));
    }

    @Test
    void aRenameAwayRaisesAnIdentityEvent() throws IOException {
        int wd = watch();
        Files.move(file, dir.resolve("elsewhere"));
        int mask = eventsOf(wd);
        assertNotEquals(0, mask & Inotify.IN_MOVE_SELF, Integer.toHexString(mask));
    }

    @Test
    void theInodeFollowerPollsOnlyWhileTheUnlinkedFileIsHeld() throws Exception {
        InodeFollower f = new InodeFollower(new MonitoredFile(fd, file.toString(), Posix.fstat(fd)));
        assertEquals(Verdict.CONTINUE, f.check(), "linked: nothing to poll for");
        Path ready = dir.resolve("ready");
        holder = new ProcessBuilder("bash", "-c", "exec 3<\"$0\"; : > \"$1\"; exec sleep 600 3<&3", file.toString(),
                ready.toString()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(ready)) {
            assertTrue(System.nanoTime() < until, "holder did not open the file");
            Thread.sleep(5);
        }
        Files.delete(file);
        assertEquals(Verdict.POLL, f.check(), "unlinked and held: look again on the next tick");
        holder.destroyForcibly().waitFor();
        Verdict v = f.check();
        assertInstanceOf(Verdict.Exit.class, v);
        assertEquals(MonitorResult.info("File unlinked and closed: exiting."), ((Verdict.Exit) v).result());
        f.close();
        fd = -1; // closed by the follower
    }
}
