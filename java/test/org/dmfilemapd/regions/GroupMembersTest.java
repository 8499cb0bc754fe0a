package org.dmfilemapd.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class GroupMembersTest {
    @Test
    void rangesAndSingles() {
        assertEquals("0-3,7,9-10", GroupMembers.describe(List.of(0L, 1L, 2L, 3L, 7L, 9L, 10L)));
    }

    @Test
    void unsortedWithDuplicates() {
        assertEquals("0-3,7,9-10", GroupMembers.describe(List.of(9L, 3L, 0L, 7L, 2L, 10L, 1L, 3L, 0L)));
    }

    @Test
    void singleId() {
        assertEquals("5", GroupMembers.describe(List.of(5L)));
    }

    @Test
    void twoAdjacentIdsAreARange() {
        assertEquals("4-5", GroupMembers.describe(List.of(5L, 4L)));
    }

    @Test
    void noAdjacentIds() {
        assertEquals("1,3,5", GroupMembers.describe(List.of(5L, 1L, 3L)));
    }

    @Test
    void empty() {
        assertEquals("", GroupMembers.describe(List.of()));
    }

    @Test
    void largeIdsCompareByValue() {
        // beyond the Long cache: boxed identity comparison would split this range
        assertEquals("1000-1002", GroupMembers.describe(List.of(1000L, 1001L, 1002L)));
    }
}
