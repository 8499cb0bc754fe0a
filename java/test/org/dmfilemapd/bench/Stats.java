package org.dmfilemapd.bench;

import java.util.Arrays;
import java.util.List;

/** Order statistics of samples (nearest-rank). */
final class Stats {
    private Stats() {
    }

    static double median(List<Double> xs) {
        return quantile(xs, 0.5);
    }

    static double p95(List<Double> xs) {
        return quantile(xs, 0.95);
    }

    static double quantile(List<Double> xs, double q) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        int rank = (int) Math.ceil(q * a.length);
        return a[Math.max(0, Math.min(a.length - 1, rank - 1))];
    }

    static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
