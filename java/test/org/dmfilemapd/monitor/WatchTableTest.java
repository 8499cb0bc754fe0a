package org.dmfilemapd.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.dmfilemapd.detect.Watches;
import org.dmfilemapd.jni.Inotify;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared watch table on a real inotify instance (any filesystem: no device-mapper needed). */
class WatchTableTest {
    @TempDir
    Path dir;

    private Inotify inotify;
    private WatchTable table;
    private final MonitorTask a = new MonitorTask(null, r -> { });
    private final MonitorTask b = new MonitorTask(null, r -> { });

    @BeforeEach
    void setUp() throws IOException {
        inotify = new Inotify();
        table = new WatchTable(inotify);
    }

    @AfterEach
    void tearDown() {
        inotify.close();
    }

    @Test
    void twoMonitorsOnOneInodeShareTheWatchUntilBothLetGo() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Path link = dir.resolve("hard");
        Files.createLink(link, f);
        int wa = table.forOwner(a).add(f.toString());
        int wb = table.forOwner(b).add(link.toString());
        assertEquals(wa, wb, "the kernel gives one wd per inode");
        assertEquals(List.of(a, b), table.holders(wa));

        table.forOwner(a).remove(wa);
        assertEquals(List.of(b), table.holders(wa));
        Files.writeString(f, "more", StandardOpenOption.APPEND);
        Inotify.Events ev = inotify.await(2000);
        assertNotEquals(0, ev.maskFor(wb) & Inotify.IN_MODIFY, "b's watch still reports");

        table.forOwner(b).remove(wb);
        assertEquals(0, table.size());
        // the kernel removed the watch: IN_IGNORED is all that comes
        ev = inotify.await(2000);
        assertEquals(Inotify.IN_IGNORED, ev.maskFor(wb) & ~Inotify.IN_MODIFY);
    }

    @Test
    void aMonitorThatWatchesTheSameInodeTwiceHoldsItTwice() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Watches w = table.forOwner(a);
        int first = w.add(f.toString());
        int again = w.add(dir + "/./f"); // same inode, another name
        assertEquals(first, again);
        w.remove(first);
        assertEquals(List.of(a), table.holders(first), "one hold left");
        w.remove(first);
        assertTrue(table.holders(first).isEmpty());
    }

    @Test
    void aWatchTheKernelDroppedIsForgottenAndNotRemovedTwice() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        int wd = table.forOwner(a).add(f.toString());
        Files.delete(f); // last link, nobody holds it open: the inode goes, IN_IGNORED follows
        Inotify.Events ev = inotify.await(2000);
        while ((ev.maskFor(wd) & Inotify.IN_IGNORED) == 0) {
            ev = inotify.await(2000);
        }
        table.forget(wd);
        table.forOwner(a).remove(wd); // no error, nothing to remove
        assertEquals(0, table.size());
    }

    @Test
    void aQueueOverflowReachesEveryHolderOnce() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Path g = Files.writeString(dir.resolve("g"), "y");
        table.forOwner(a).add(f.toString());
        table.forOwner(a).add(g.toString());
        table.forOwner(b).add(g.toString());
        assertEquals(Set.of(a, b), new HashSet<>(table.allHolders()));
        assertEquals(2, table.allHolders().size());
    }
}
