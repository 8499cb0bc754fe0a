package org.dmfilemapd.metrics;

import java.util.Arrays;

/**
 * The IO counters of one dm-stats region, or the sum of several: what {@code @stats_print}
 * reports per area, summed over the region's areas. Times are in milliseconds, or in
 * nanoseconds when the region has precise timestamps ({@link #nanos()}). The histogram holds
 * one count per bin (bounds plus one); it is empty when the region has no histogram.
 * Immutable.
 */
public final class IoCounters {
    /** The counters of {@code @stats_print}, in its order. */
    public enum Field {
        READS, READS_MERGED, READ_SECTORS, READ_TIME,
        WRITES, WRITES_MERGED, WRITE_SECTORS, WRITE_TIME,
        IO_IN_PROGRESS, IO_TIME, WEIGHTED_IO_TIME, READ_IO_TIME, WRITE_IO_TIME;

        /** A time, scaled by the region's timestamp precision. */
        public boolean isTime() {
            return this == READ_TIME || this == WRITE_TIME || this == IO_TIME || this == WEIGHTED_IO_TIME
                    || this == READ_IO_TIME || this == WRITE_IO_TIME;
        }
    }

    static final int FIELDS = Field.values().length;
    public static final IoCounters ZERO = new IoCounters(new long[FIELDS], new long[0], false);

    private final long[] values;
    private final long[] histogram;
    private final boolean nanos;

    IoCounters(long[] values, long[] histogram, boolean nanos) {
        this.values = values;
        this.histogram = histogram;
        this.nanos = nanos;
    }

    public long get(Field f) {
        return values[f.ordinal()];
    }

    public boolean nanos() {
        return nanos;
    }

    /** Counts per histogram bin (a copy); empty without a histogram. */
    public long[] histogram() {
        return histogram.clone();
    }

    public int histogramBins() {
        return histogram.length;
    }

    /** A time counter in seconds. */
    public double seconds(Field f) {
        return get(f) / (nanos ? 1e9 : 1e3);
    }

    /**
     * The counters of one region from its {@code @stats_print} answer: one line per area,
     * {@code <start>+<length>} and 13 counters, then the histogram's bins after a space,
     * separated by colons. {@code nanos}: the region has precise timestamps.
     *
     * @throws IllegalArgumentException if the text is not such an answer
     */
    public static IoCounters parse(String text, boolean nanos) {
        long[] sum = new long[FIELDS];
        long[] hist = null;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] w = line.trim().split(" ");
            if (w.length < 1 + FIELDS || w.length > 2 + FIELDS || w[0].indexOf('+') <= 0) {
                throw new IllegalArgumentException("not a @stats_print line: " + line);
            }
            for (int i = 0; i < FIELDS; i++) {
                sum[i] += number(w[1 + i], line);
            }
            if (w.length == 2 + FIELDS) {
                String[] bins = w[1 + FIELDS].split(":");
                if (hist == null) {
                    hist = new long[bins.length];
                } else if (hist.length != bins.length) {
                    throw new IllegalArgumentException("areas with different histograms: " + line);
                }
                for (int i = 0; i < bins.length; i++) {
                    hist[i] += number(bins[i], line);
                }
            }
        }
        return new IoCounters(sum, hist == null ? new long[0] : hist, nanos);
    }

    private static long number(String s, String line) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a @stats_print line: " + line, e);
        }
    }

    /**
     * The sum of both. Regions of one group share their settings; if they differ, times are
     * added in nanoseconds and histograms of another shape are left out of the sum.
     */
    public IoCounters plus(IoCounters o) {
        if (o == ZERO || o.isEmpty() && o.histogram.length == 0) {
            return this;
        }
        if (this == ZERO || isEmpty() && histogram.length == 0) {
            return o;
        }
        boolean ns = nanos || o.nanos;
        long[] v = new long[FIELDS];
        for (Field f : Field.values()) {
            int i = f.ordinal();
            v[i] = f.isTime() && ns ? inNanos(f) + o.inNanos(f) : values[i] + o.values[i];
        }
        long[] h;
        if (histogram.length == o.histogram.length) {
            h = new long[histogram.length];
            for (int i = 0; i < h.length; i++) {
                h[i] = histogram[i] + o.histogram[i];
            }
        } else {
            h = histogram.length >= o.histogram.length ? histogram : o.histogram;
        }
        return new IoCounters(v, h, ns);
    }

    /** These counters without the in-progress gauge: what may be carried past a region's deletion. */
    public IoCounters withoutInProgress() {
        if (values[Field.IO_IN_PROGRESS.ordinal()] == 0) {
            return this;
        }
        long[] v = values.clone();
        v[Field.IO_IN_PROGRESS.ordinal()] = 0;
        return new IoCounters(v, histogram, nanos);
    }

    private long inNanos(Field f) {
        long v = get(f);
        return nanos ? v : v * 1_000_000L;
    }

    private boolean isEmpty() {
        for (long v : values) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IoCounters c && nanos == c.nanos && Arrays.equals(values, c.values)
                && Arrays.equals(histogram, c.histogram);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 31 + Arrays.hashCode(histogram);
    }

    @Override
    public String toString() {
        return "IoCounters" + Arrays.toString(values) + (histogram.length > 0 ? Arrays.toString(histogram) : "")
                + (nanos ? " ns" : " ms");
    }
}
