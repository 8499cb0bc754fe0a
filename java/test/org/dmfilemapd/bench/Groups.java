package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.Path;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.Region;

/** Region groups made and removed the way dmstats does it (libdevmapper's own calls). */
final class Groups {
    private Groups() {
    }

    static DmStats handle(Path file) throws IOException {
        FileStat st = Posix.stat(file.toString());
        DmStats stats = new DmStats("dmstats");
        stats.bindDevno(st.devMajor(), st.devMinor());
        stats.listAll();
        return stats;
    }

    /** {@code dmstats create --filemap --nomonitor FILE}: one region per merged extent, grouped. */
    static long create(Path file) throws IOException {
        FileStat st = Posix.stat(file.toString());
        int fd = Posix.openReadOnly(file.toString());
        try (DmStats stats = new DmStats("dmstats")) {
            stats.bindDevno(st.devMajor(), st.devMinor());
            return stats.createRegionsFromFd(fd, true, false, null, file.getFileName().toString())[0];
        } finally {
            Posix.close(fd);
        }
    }

    static int members(Path file) throws IOException {
        try (DmStats stats = handle(file)) {
            return (int) stats.regions().stream().filter(Region::grouped).count();
        }
    }

    /** Every region on the file's device. */
    static void deleteAll(Path file) throws IOException {
        try (DmStats stats = handle(file)) {
            for (Region r : stats.regions()) {
                stats.deleteRegion(r.id());
            }
        }
    }
}
