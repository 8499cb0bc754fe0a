package org.dmfilemapd.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dmfilemapd.metrics.IoCounters.Field;
import org.junit.jupiter.api.Test;

class IoCountersTest {
    // the kernel's @stats_print line: <start>+<len>, 13 counters, then histogram bins after a space
    static final String ONE_AREA = "2048+8192 12 1 4096 30 5 0 80 9 0 20 40 25 10\n";

    @Test
    void parsesOneArea() {
        IoCounters c = IoCounters.parse(ONE_AREA, false);
        assertEquals(12, c.get(Field.READS));
        assertEquals(1, c.get(Field.READS_MERGED));
        assertEquals(4096, c.get(Field.READ_SECTORS));
        assertEquals(30, c.get(Field.READ_TIME));
        assertEquals(5, c.get(Field.WRITES));
        assertEquals(80, c.get(Field.WRITE_SECTORS));
        assertEquals(9, c.get(Field.WRITE_TIME));
        assertEquals(0, c.get(Field.IO_IN_PROGRESS));
        assertEquals(20, c.get(Field.IO_TIME));
        assertEquals(40, c.get(Field.WEIGHTED_IO_TIME));
        assertEquals(0.030, c.seconds(Field.READ_TIME), 1e-12);
        assertEquals(0, c.histogramBins());
    }

    @Test
    void sumsAreasAndHistogramBins() {
        IoCounters c = IoCounters.parse("0+8 1 0 8 1000 0 0 0 0 0 1000 1000 1000 0 3:0:1\n"
                + "8+8 2 0 16 2000 1 0 8 500 1 2500 2500 2000 500 0:2:1\n", true);
        assertEquals(3, c.get(Field.READS));
        assertEquals(1, c.get(Field.IO_IN_PROGRESS));
        assertArrayEquals(new long[] {3, 2, 2}, c.histogram());
        assertTrue(c.nanos());
        assertEquals(3000e-9, c.seconds(Field.READ_TIME), 1e-15);
    }

    @Test
    void refusesWhatIsNotAnAnswer() {
        assertThrows(IllegalArgumentException.class, () -> IoCounters.parse("Invalid region id", false));
        assertThrows(IllegalArgumentException.class, () -> IoCounters.parse("0+8 1 2 3", false));
        assertThrows(IllegalArgumentException.class, () -> IoCounters.parse("0+8 1 0 8 x 0 0 0 0 0 1 1 1 0", false));
        assertThrows(IllegalArgumentException.class,
                () -> IoCounters.parse("0+8 1 0 8 1 0 0 0 0 0 1 1 1 0 1:2\n8+8 1 0 8 1 0 0 0 0 0 1 1 1 0 1:2:3", false));
    }

    @Test
    void plusAddsAndConvertsMixedPrecisionToNanos() {
        IoCounters ms = IoCounters.parse(ONE_AREA, false);
        IoCounters ns = IoCounters.parse("0+8 1 0 8 1000000 0 0 0 0 0 0 0 0 0", true);
        IoCounters sum = ms.plus(ns);
        assertEquals(13, sum.get(Field.READS));
        assertTrue(sum.nanos());
        assertEquals(31_000_000, sum.get(Field.READ_TIME));
        assertEquals(ms, ms.plus(IoCounters.ZERO));
        assertEquals(ms, IoCounters.ZERO.plus(ms));
    }

    @Test
    void theInProgressGaugeIsNotCarried() {
        IoCounters c = IoCounters.parse("0+8 1 0 8 1 0 0 0 0 4 1 1 1 0", false);
        assertEquals(0, c.withoutInProgress().get(Field.IO_IN_PROGRESS));
        assertEquals(1, c.withoutInProgress().get(Field.READS));
    }
}
