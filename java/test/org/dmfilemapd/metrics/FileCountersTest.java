package org.dmfilemapd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;

import org.dmfilemapd.metrics.IoCounters.Field;
import org.junit.jupiter.api.Test;

class FileCountersTest {
    static IoCounters reads(long n, long inProgress) {
        return IoCounters.parse("0+8 " + n + " 0 " + 8 * n + " 0 0 0 0 0 " + inProgress + " 0 0 0 0", false);
    }

    static Map<RegionKey, IoCounters> of(Object... keyThenCounters) {
        Map<RegionKey, IoCounters> m = new HashMap<>();
        for (int i = 0; i < keyThenCounters.length; i += 2) {
            m.put((RegionKey) keyThenCounters[i], (IoCounters) keyThenCounters[i + 1]);
        }
        return m;
    }

    final RegionKey a = new RegionKey(0, 0, 8);
    final RegionKey b = new RegionKey(1, 64, 8);
    final RegionKey c = new RegionKey(2, 128, 8);

    @Test
    void aDeletedRegionIsCarriedAndItsReplacementStartsAtZero() {
        FileCounters fc = new FileCounters(1000);
        assertEquals(15, fc.collected(of(a, reads(10, 0), b, reads(5, 0))).get(Field.READS));
        fc.regionDeleted(b, reads(7, 2));          // read just before the delete: 2 more since the collection
        IoCounters t = fc.collected(of(a, reads(10, 0), c, reads(0, 0)));
        assertEquals(17, t.get(Field.READS));
        assertEquals(0, t.get(Field.IO_IN_PROGRESS), "in-progress IOs are not carried");
        assertEquals(1, fc.carries());
    }

    @Test
    void aRegionGoneWithoutUsCarriesItsLastCollectedCounters() {
        FileCounters fc = new FileCounters(1000);
        fc.collected(of(a, reads(10, 0), b, reads(5, 0)));
        assertEquals(15, fc.collected(of(a, reads(10, 0))).get(Field.READS));
        assertEquals(1, fc.carries());
    }

    @Test
    void aRegionRecreatedUnderTheSameKeyIsSeenByItsCountersGoingDown() {
        FileCounters fc = new FileCounters(1000);
        fc.collected(of(a, reads(10, 0)));
        assertEquals(11, fc.collected(of(a, reads(1, 0))).get(Field.READS));
        assertEquals(12, fc.collected(of(a, reads(2, 0))).get(Field.READS));
    }

    @Test
    void anUnreadDeleteCarriesTheLastCollection() {
        FileCounters fc = new FileCounters(1000);
        fc.collected(of(a, reads(10, 0), b, reads(5, 0)));
        fc.regionDeletedUnread(b);
        fc.regionDeletedUnread(b);                 // twice: nothing more
        assertEquals(15, fc.collected(of(a, reads(10, 0))).get(Field.READS));
        assertEquals(1, fc.carries());
    }

    @Test
    void aRestoredSeriesGoesOn() {
        FileCounters fc = new FileCounters(500, reads(100, 0), 4);
        assertEquals(110, fc.collected(of(a, reads(10, 0))).get(Field.READS));
        assertEquals(4, fc.carries());
        assertEquals(500, fc.createdEpochMillis());
    }
}
