package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.regions.Extent;
import org.dmfilemapd.regions.ExtentMap;

/**
 * The benchmark's "in sync" test, through the real kernel: every grouped region on the
 * device (the benchmark keeps one group per device), as a multiset of (start, length), equals
 * the file's merged FIEMAP extents. A separate handle and fd from the daemon's.
 */
final class SyncProbe implements AutoCloseable {
    private final DmStats stats;
    private final int fd;

    SyncProbe(Path file) throws IOException {
        FileStat st = Posix.stat(file.toString());
        stats = new DmStats("dmstats");
        stats.bindDevno(st.devMajor(), st.devMinor());
        fd = Posix.openReadOnly(file.toString());
    }

    boolean inSync() throws IOException {
        ExtentMap map = ExtentMap.read(fd);
        stats.listAll();
        Map<Extent, Integer> want = new HashMap<>();
        for (Extent e : map.extents()) {
            want.merge(e, 1, Integer::sum);
        }
        int grouped = 0;
        for (Region r : stats.regions()) {
            if (!r.grouped()) {
                continue;
            }
            grouped++;
            Extent e = new Extent(r.start(), r.length());
            Integer n = want.get(e);
            if (n == null || n == 0) {
                return false;
            }
            want.put(e, n - 1);
        }
        return grouped == map.extents().size();
    }

    /** Polls every {@code periodMs} until in sync; returns when it was first seen, or -1 after {@code timeoutMs}. */
    long awaitInSync(int periodMs, long timeoutMs) throws IOException {
        long end = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() < end) {
            if (inSync()) {
                return System.nanoTime();
            }
            Pause.ms(periodMs);
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        Posix.close(fd);
        stats.close();
    }
}
