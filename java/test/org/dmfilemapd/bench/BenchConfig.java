package org.dmfilemapd.bench;

import java.util.ArrayList;
import java.util.List;

/** What to run, from system properties (scripts/bench sets them from its environment). */
final class BenchConfig {
    final List<String> filesystems = List.of(System.getProperty("bench.fs", "xfs,ext4").split(","));
    final int trials = Integer.getInteger("bench.trials", 25);
    final int warmup = Integer.getInteger("bench.warmup", 2);
    final int idleSeconds = Integer.getInteger("bench.idle", 60);
    final int sustainSeconds = Integer.getInteger("bench.sustain", 30);
    final int scalingTrials = Integer.getInteger("bench.scalingTrials", 6);
    final List<Integer> sizes = new ArrayList<>();
    /** JVM option sets to compare (label=options, separated by |), each with the latency section. */
    final java.util.Map<String, String> variants = new java.util.LinkedHashMap<>();
    /** Service-section variants (label=[ENV=value ...] [options|default], separated by |). */
    final java.util.Map<String, String> serviceVariants = new java.util.LinkedHashMap<>();
    final List<String> sections = List.of(System.getProperty("bench.sections", "latency,scaling,sustained,service").split(","));

    BenchConfig() {
        for (String s : System.getProperty("bench.sizes", "10,1000,10000").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        for (String v : System.getProperty("bench.variants", "").split("\\|")) {
            int eq = v.indexOf('=');
            if (eq > 0) {
                variants.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
            }
        }
        for (String v : System.getProperty("bench.serviceVariants", "").split("\\|")) {
            int eq = v.indexOf('=');
            if (eq > 0) {
                serviceVariants.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
            }
        }
    }
}
