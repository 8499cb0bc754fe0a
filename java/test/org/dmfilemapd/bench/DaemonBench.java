package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Update latency, idle cost and memory of one real background daemon (jsvc + JVM) watching
 * one file, then a sustained writer against a second daemon.
 */
final class DaemonBench {
    private static final long MB = 1 << 20;
    private final BenchDevice dev;
    private final Path command;
    private final Path logDir;
    private final BenchConfig cfg;

    DaemonBench(BenchDevice dev, Path command, Path logDir, BenchConfig cfg) {
        this.dev = dev;
        this.command = command;
        this.logDir = logDir;
        this.cfg = cfg;
    }

    /**
     * Each trial fallocates a new range past the end of the file, then grows a spacer file
     * right behind it, so the next range is not physically contiguous: every trial adds a
     * region. Trials are spaced by a quiet second, so each is "the first change after a quiet
     * spell". Latency: from the kernel's IN_MODIFY to the first poll (every 5 ms) that finds
     * the group equal to the file's extents.
     */
    Map<String, Object> latencyAndIdle() throws Exception {
        return latencyAndIdle(null, "latency");
    }

    /** The same with the daemon's JVM options replaced ({@code jvmOptions} null: the defaults). */
    Map<String, Object> latencyAndIdle(String jvmOptions, String label) throws Exception {
        Path f = dev.file("latency.img");
        Path spacer = dev.file("latency.spacer");
        Shell.run("fallocate -l 4M " + f + " && fallocate -l 1M " + spacer + " && sync");
        long g = Groups.create(f);
        Map<String, Object> out = new LinkedHashMap<>();
        List<Double> lat = new ArrayList<>();
        try (Daemon d = Daemon.start(command, f, g, 0, logDir.resolve(dev.fs + "-" + label + ".log"),
                jvmOptions);
                SyncProbe probe = new SyncProbe(f); ChangeClock clock = new ChangeClock(f)) {
            out.put("start_ms", d.startMs);
            Pause.ms(1000);
            long offset = 8 * MB;
            for (int i = 0; i < cfg.warmup + cfg.trials; i++) {
                long seen = clock.changes();
                Process p = Shell.start("fallocate -o " + offset + " -l 1M " + f);
                long t0 = clock.awaitChangeAfter(seen, 10_000);
                long t1 = probe.awaitInSync(5, 10_000);
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("fallocate failed");
                }
                if (t1 < 0) {
                    throw new IllegalStateException("trial " + i + ": not in sync after 10 s");
                }
                if (i >= cfg.warmup) {
                    lat.add(Stats.ms(t1 - t0));
                }
                Shell.run("fallocate -o " + (i + 1) * MB + " -l 1M " + spacer);
                offset += 2 * MB;
                Pause.ms(1000); // a quiet spell: the next change is a first change again
            }
            out.put("latency_trials", lat.size());
            out.put("latency_median_ms", Stats.median(lat));
            out.put("latency_p95_ms", Stats.p95(lat));
            out.put("latency_max_ms", Stats.max(lat));
            out.put("latency_ms", lat);
            out.put("regions", Groups.members(f));

            // idle: nothing touches the file
            ProcTree tree = new ProcTree(d.pid);
            Pause.ms(2000);
            ProcTree.Sample a = tree.sample();
            ProcTree.Threads ta = tree.threads();
            Pause.ms(cfg.idleSeconds * 1000L);
            ProcTree.Threads tb = tree.threads();
            ProcTree.Sample b = tree.sample();
            double minutes = (b.nanos() - a.nanos()) / 60e9;
            out.put("idle_seconds", (b.nanos() - a.nanos()) / 1e9);
            out.put("idle_cpu_s_per_min", (b.cpuSeconds() - a.cpuSeconds()) / minutes);
            out.put("idle_cpu_s_per_10s", (b.cpuSeconds() - a.cpuSeconds()) / minutes / 6);
            out.put("idle_wakeups_per_min", (b.voluntary() + b.involuntary() - a.voluntary() - a.involuntary())
                    / minutes);
            out.put("idle_voluntary_per_min", (b.voluntary() - a.voluntary()) / minutes);
            out.put("processes", b.processes());
            out.put("threads", b.threads());
            out.put("rss_kb", b.rssKb());
            out.put("pss_kb", b.pssKb());
            out.put("idle_by_thread", ProcTree.perThread(ta, tb));
        }
        Groups.deleteAll(f);
        Shell.run("rm -f " + f + " " + spacer);
        return out;
    }

    /**
     * A writer appends 64 KiB every 10 ms for the configured time (plain writes: delayed
     * allocation, as a real writer). Updates are counted from the daemon's debug lines.
     */
    Map<String, Object> sustained() throws Exception {
        Path f = dev.file("sustained.img");
        Shell.run("fallocate -l 1M " + f + " && sync");
        long g = Groups.create(f);
        Map<String, Object> out = new LinkedHashMap<>();
        try (Daemon d = Daemon.start(command, f, g, 2, logDir.resolve(dev.fs + "-sustained.log"),
                null);
                SyncProbe probe = new SyncProbe(f)) {
            out.put("start_ms", d.startMs);
            Pause.ms(1000);
            long before = d.count("Updated group");
            long writes = 0;
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 0x5a);
            long t0 = System.nanoTime();
            long end = t0 + cfg.sustainSeconds * 1_000_000_000L;
            long tStop;
            try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.APPEND)) {
                while (System.nanoTime() < end) {
                    ch.write(java.nio.ByteBuffer.wrap(chunk));
                    writes++;
                    Pause.ms(10);
                }
                tStop = System.nanoTime();
            }
            double seconds = (tStop - t0) / 1e9;
            long t1 = probe.awaitInSync(5, 30_000);
            long afterSync = d.count("Updated group");
            out.put("seconds", seconds);
            out.put("writes", writes);
            out.put("mb_written", writes * chunk.length / (double) MB);
            out.put("updates", afterSync - before);
            out.put("updates_per_s", (afterSync - before) / seconds);
            out.put("lag_after_stop_ms", t1 < 0 ? null : Stats.ms(t1 - tStop));
            out.put("regions", Groups.members(f));
        }
        Groups.deleteAll(f);
        Shell.run("rm -f " + f);
        return out;
    }
}
