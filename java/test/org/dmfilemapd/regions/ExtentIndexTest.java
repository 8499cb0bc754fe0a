package org.dmfilemapd.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.jni.Region;
import org.junit.jupiter.api.Test;

class ExtentIndexTest {
    @Test
    void eachMemberOnceInListOrder() {
        List<Region> members = List.of(new Region(3, 100, 8, 3), new Region(4, 200, 8, 3),
                new Region(7, 100, 8, 3), new Region(9, 100, 16, 3));
        RegionUpdater.ExtentIndex index = new RegionUpdater.ExtentIndex(members);
        assertEquals(0, index.take(100, 8)); // the same extent twice: lower id first
        assertEquals(2, index.take(100, 8));
        assertEquals(-1, index.take(100, 8));
        assertEquals(3, index.take(100, 16));
        assertEquals(1, index.take(200, 8));
        assertEquals(-1, index.take(200, 8));
        assertEquals(-1, index.take(300, 8));
        assertEquals(-1, index.take(0, 0));
    }

    @Test
    void manyMembersAndColliders() {
        List<Region> members = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            members.add(new Region(i, 16L * i, 8, 0));
        }
        RegionUpdater.ExtentIndex index = new RegionUpdater.ExtentIndex(members);
        for (int i = 9_999; i >= 0; i--) {
            assertEquals(i, index.take(16L * i, 8));
        }
        for (int i = 0; i < 10_000; i++) {
            assertEquals(-1, index.take(16L * i, 8));
            assertEquals(-1, index.take(16L * i + 8, 8));
        }
    }

    @Test
    void empty() {
        assertEquals(-1, new RegionUpdater.ExtentIndex(List.of()).take(0, 8));
    }
}
