package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.regions.Extent;
import org.dmfilemapd.regions.ExtentMap;

/**
 * What the kernel holds, read through a fresh handle each time (all programs), and the
 * checker the scenarios rely on: a group is in sync when its regions, as a set of
 * (start, length), equal the file's merged FIEMAP extents.
 */
final class Kernel {
    private Kernel() {
    }

    static DmStats handleFor(Path file) throws java.io.IOException {
        FileStat st = Posix.stat(file.toString());
        DmStats stats = new DmStats("dmstats");
        stats.bindDevno(st.devMajor(), st.devMinor());
        stats.listAll();
        return stats;
    }

    /** The members of the group, or an empty list if there is no such group. */
    static List<Region> group(Path file, long groupId) throws java.io.IOException {
        try (DmStats stats = handleFor(file)) {
            return stats.groupRegions(groupId);
        }
    }

    static List<Region> allRegions(Path file) throws java.io.IOException {
        try (DmStats stats = handleFor(file)) {
            return stats.regions();
        }
    }

    static List<Extent> extents(Path file) throws java.io.IOException {
        int fd = Posix.openReadOnly(file.toString());
        try {
            return ExtentMap.read(fd).extents();
        } finally {
            Posix.close(fd);
        }
    }

    static boolean inSync(Path file, long groupId) throws java.io.IOException {
        List<Extent> want = new ArrayList<>(extents(file));
        List<Region> members = group(file, groupId);
        if (members.size() != want.size()) {
            return false;
        }
        for (Region r : members) {
            if (!want.remove(new Extent(r.start(), r.length()))) {
                return false;
            }
        }
        return true;
    }

    /** Polls every 10 ms until the group matches the file, or fails with both sides. */
    static void awaitInSync(Path file, long groupId, Duration timeout) throws java.io.IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (inSync(file, groupId)) {
                return;
            }
            pause();
        }
        fail("group " + groupId + " not in sync with " + file + " after " + timeout.toMillis() + " ms: regions "
                + group(file, groupId) + ", extents " + extents(file));
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            pause();
        }
        fail("timed out after " + timeout.toMillis() + " ms waiting for " + what);
    }

    /** The polling interval of the checkers (the thing waited for is polled, not slept on). */
    static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Maps {@code file} into a new group the way {@code dmstats create --filemap} does; returns its id. */
    static long createGroup(Path file, boolean precise, long[] boundsNs, String alias) throws java.io.IOException {
        FileStat st = Posix.stat(file.toString());
        int fd = Posix.openReadOnly(file.toString());
        try (DmStats stats = new DmStats("dmstats")) {
            stats.bindDevno(st.devMajor(), st.devMinor());
            long[] ids = stats.createRegionsFromFd(fd, true, precise, boundsNs, alias);
            return ids[0];
        } finally {
            Posix.close(fd);
        }
    }

    static void deleteGroup(Path file, long groupId, boolean removeRegions) throws java.io.IOException {
        try (DmStats stats = handleFor(file)) {
            stats.deleteGroup(groupId, removeRegions);
        }
    }

    /** Deletes every region on the file's device (between scenarios). */
    static void deleteAll(Path anyFileOnDevice) throws java.io.IOException {
        try (DmStats stats = handleFor(anyFileOnDevice)) {
            for (Region r : stats.regions()) {
                stats.deleteRegion(r.id());
            }
        }
    }
}
