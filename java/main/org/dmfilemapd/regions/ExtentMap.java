package org.dmfilemapd.regions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.dmfilemapd.jni.Posix;

/**
 * A file's extents merged the way libdevmapper maps a file to regions (spec 4.6): extents not
 * yet allocated (unknown, delalloc) are skipped; an extent that starts where the previous one
 * ended physically extends it, even across a logical hole or a written/unwritten change; one
 * at logical offset 0 always starts afresh. Offsets and lengths become 512-byte sectors.
 */
public final class ExtentMap {
    private static final int ROW = 4;
    private static final int NOT_ALLOCATED = Posix.FIEMAP_EXTENT_UNKNOWN | Posix.FIEMAP_EXTENT_DELALLOC;

    private final List<Extent> extents;
    private final boolean pendingAllocation;

    private ExtentMap(List<Extent> extents, boolean pendingAllocation) {
        this.extents = Collections.unmodifiableList(extents);
        this.pendingAllocation = pendingAllocation;
    }

    /** Merges FIEMAP rows of (logical, physical, length, flags) in bytes, in logical order. */
    public static ExtentMap fromFiemap(long[] rows) {
        List<Extent> out = new ArrayList<>();
        boolean pending = false;
        long curStart = -1;
        long curEnd = -1;
        for (int i = 0; i + ROW <= rows.length; i += ROW) {
            long logical = rows[i];
            long physical = rows[i + 1];
            long length = rows[i + 2];
            long flags = rows[i + 3];
            if ((flags & NOT_ALLOCATED) != 0) {
                pending = true;
                continue;
            }
            if (curStart >= 0 && logical != 0 && physical == curEnd) {
                curEnd += length;
                continue;
            }
            if (curStart >= 0 && logical != 0) {
                out.add(toSectors(curStart, curEnd));
            }
            curStart = physical;
            curEnd = physical + length;
        }
        if (curStart >= 0) {
            out.add(toSectors(curStart, curEnd));
        }
        return new ExtentMap(out, pending);
    }

    /** Reads and merges the extents of {@code fd}; syncs first only if allocation is pending. */
    public static ExtentMap read(int fd) throws java.io.IOException {
        ExtentMap map = fromFiemap(Posix.fiemap(fd, false));
        // delayed allocations have no address until written back: force that, as libdm does
        return map.pendingAllocation ? fromFiemap(Posix.fiemap(fd, true)) : map;
    }

    public List<Extent> extents() {
        return extents;
    }

    public boolean isEmpty() {
        return extents.isEmpty();
    }

    /** Some extents were not yet allocated (delayed allocation) when this map was read. */
    public boolean pendingAllocation() {
        return pendingAllocation;
    }

    private static Extent toSectors(long start, long end) {
        return new Extent(start >> 9, (end - start) >> 9);
    }

    @Override
    public String toString() {
        return extents.toString();
    }
}
