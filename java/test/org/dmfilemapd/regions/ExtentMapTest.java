package org.dmfilemapd.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ExtentMapTest {
    private static final long K = 1024;
    private static final long M = 1024 * K;
    private static final long LAST = 0x1;
    private static final long UNKNOWN = 0x2;
    private static final long DELALLOC = 0x4;
    private static final long UNWRITTEN = 0x800;

    /** One FIEMAP row: logical, physical, length (bytes), flags. */
    private static long[] row(long logical, long physical, long length, long flags) {
        return new long[] {logical, physical, length, flags};
    }

    private static long[] rows(long[]... rows) {
        long[] out = new long[rows.length * 4];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, 4 * i, 4);
        }
        return out;
    }

    private static Extent sectors(long startBytes, long lengthBytes) {
        return new Extent(startBytes / 512, lengthBytes / 512);
    }

    @Test
    void emptyInputIsAnEmptyMap() {
        ExtentMap map = ExtentMap.fromFiemap(new long[0]);
        assertTrue(map.isEmpty());
        assertEquals(List.of(), map.extents());
        assertFalse(map.pendingAllocation());
    }

    @Test
    void singleExtentInSectors() {
        ExtentMap map = ExtentMap.fromFiemap(rows(row(0, 8 * M, 64 * K, LAST)));
        assertEquals(List.of(new Extent(16384, 128)), map.extents());
        assertFalse(map.isEmpty());
        assertFalse(map.pendingAllocation());
    }

    @Test
    void physicallyContiguousExtentsMerge() {
        ExtentMap map = ExtentMap.fromFiemap(rows(
                row(0, 1 * M, 4 * K, 0),
                row(4 * K, 1 * M + 4 * K, 12 * K, LAST)));
        assertEquals(List.of(sectors(1 * M, 16 * K)), map.extents());
    }

    @Test
    void nonContiguousExtentsStaySeparate() {
        ExtentMap map = ExtentMap.fromFiemap(rows(
                row(0, 1 * M, 4 * K, 0),
                row(4 * K, 3 * M, 8 * K, LAST)));
        assertEquals(List.of(sectors(1 * M, 4 * K), sectors(3 * M, 8 * K)), map.extents());
    }

    @Test
    void physicallyBackwardsIsABoundary() {
        ExtentMap map = ExtentMap.fromFiemap(rows(
                row(0, 5 * M, 4 * K, 0),
                row(4 * K, 5 * M - 4 * K, 4 * K, LAST)));
        assertEquals(List.of(sectors(5 * M, 4 * K), sectors(5 * M - 4 * K, 4 * K)), map.extents());
    }

    @Test
    void contiguousAcrossALogicalHoleMerges() {
        // logical 8K..1M is a hole, but the next extent starts where the first ended on disk
        ExtentMap map = ExtentMap.fromFiemap(rows(
                row(0, 2 * M, 8 * K, 0),
                row(1 * M, 2 * M + 8 * K, 8 * K, LAST)));
        assertEquals(List.of(sectors(2 * M, 16 * K)), map.extents());
    }

    @Test
    void unwrittenChangeDoesNotSplit() {
        ExtentMap map = ExtentMap.fromFiemap(rows(
                row(0, 2 * M, 8 * K, 0),
                row(8 * K, 2 * M + 8 * K, 8 * K, UNWRITTEN),
                row(16 * K, 2 * M + 16 * K, 8 * K, LAST)));
        assertEquals(List.of(sectors(2 * M, 24 * K)), map.extents());
    }

    @Test
    void delallocBetweenContiguousExtentsIsSkipped() {
        ExtentMap map = ExtentMap.fromFiemap(rows(
                row(0, 2 * M, 4 * K, 0),
                row(4 * K, 0, 4 * K, DELALLOC | UNKNOWN),
                row(8 * K, 2 * M + 4 * K, 4 * K, LAST)));
        assertEquals(List.of(sectors(2 * M, 8 * K)), map.extents());
        assertTrue(map.pendingAllocation());
    }

    @Test
    void unknownAloneIsPending() {
        ExtentMap map = ExtentMap.fromFiemap(rows(
                row(0, 4 * M, 4 * K, 0),
                row(4 * K, 0, 4 * K, UNKNOWN | LAST)));
        assertEquals(List.of(sectors(4 * M, 4 * K)), map.extents());
        assertTrue(map.pendingAllocation());
    }

    @Test
    void onlyUnallocatedExtentsGiveAnEmptyPendingMap() {
        ExtentMap map = ExtentMap.fromFiemap(rows(row(0, 0, 64 * K, DELALLOC | UNKNOWN | LAST)));
        assertTrue(map.isEmpty());
        assertTrue(map.pendingAllocation());
    }

    @Test
    void firstExtentAfterALeadingHoleStartsTheMap() {
        ExtentMap map = ExtentMap.fromFiemap(rows(row(1 * M, 6 * M, 4 * K, LAST)));
        assertEquals(List.of(sectors(6 * M, 4 * K)), map.extents());
    }

    @Test
    void lastFlagIsHarmless() {
        long[] withLast = rows(row(0, 1 * M, 4 * K, 0), row(4 * K, 1 * M + 4 * K, 4 * K, LAST));
        long[] without = rows(row(0, 1 * M, 4 * K, 0), row(4 * K, 1 * M + 4 * K, 4 * K, 0));
        assertEquals(ExtentMap.fromFiemap(without).extents(), ExtentMap.fromFiemap(withLast).extents());
        assertEquals(List.of(sectors(1 * M, 8 * K)), ExtentMap.fromFiemap(withLast).extents());
    }

    @Test
    void mixOfMergesAndBoundaries() {
        ExtentMap map = ExtentMap.fromFiemap(rows(
                row(0, 10 * M, 4 * K, 0),
                row(4 * K, 10 * M + 4 * K, 4 * K, UNWRITTEN),
                row(8 * K, 20 * M, 4 * K, 0),
                row(12 * K, 0, 4 * K, DELALLOC),
                row(16 * K, 20 * M + 4 * K, 4 * K, 0),
                row(1 * M, 30 * M, 4 * K, LAST)));
        assertEquals(List.of(sectors(10 * M, 8 * K), sectors(20 * M, 8 * K), sectors(30 * M, 4 * K)),
                map.extents());
        assertTrue(map.pendingAllocation());
    }

    @Test
    void extentsAreUnmodifiable() {
        ExtentMap map = ExtentMap.fromFiemap(rows(row(0, 1 * M, 4 * K, LAST)));
        assertThrows(UnsupportedOperationException.class, () -> map.extents().add(new Extent(0, 1)));
    }

    @Test
    void extentEndAndText() {
        Extent e = new Extent(2048, 16);
        assertEquals(2064, e.end());
        assertEquals("2048+16", e.toString());
    }
}
