package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.regions.ExtentMap;
import org.dmfilemapd.regions.GroupMembers;
import org.dmfilemapd.regions.RegionUpdater;
import org.dmfilemapd.regions.UpdateException;

/**
 * Cost of one update that changes a single extent, against the file's fragmentation. In
 * process, through the real shim and kernel, doing what the monitor does per update: FIEMAP
 * ({@link ExtentMap#read}), then the dm part: compare with the device check's listing (made
 * before the trial, untimed: the monitor lists every check interval whatever happens) and
 * {@link RegionUpdater#applyInPlace}, or list and {@link RegionUpdater#apply} when that
 * cannot. The file has every other block punched out, so N extents; each trial adds or
 * removes one block far past the end (one extent changes). The listing's own time is
 * reported apart ({@code list_only_ms}).
 */
final class ScalingBench {
    private static final int BLOCK = 4096;
    private final BenchDevice dev;
    private final BenchConfig cfg;

    ScalingBench(BenchDevice dev, BenchConfig cfg) {
        this.dev = dev;
        this.cfg = cfg;
    }

    Map<String, Object> run(int extents) throws IOException, UpdateException {
        Path f = dev.file("frag-" + extents);
        long blocks = 2L * extents;
        StringBuilder punch = new StringBuilder("xfs_io");
        for (long b = 1; b < blocks; b += 2) {
            punch.append(" -c 'fpunch ").append(b * BLOCK).append(' ').append(BLOCK).append('\'');
        }
        // one xfs_io for all the holes, from a script file (one bash -c argument is limited to 128 KiB)
        Path script = java.nio.file.Files.createTempFile("bench-punch", ".sh");
        java.nio.file.Files.writeString(script, punch + " " + f + "\n");
        Shell.run("fallocate -l " + blocks * BLOCK + " " + f + " && bash " + script + " && sync");
        java.nio.file.Files.delete(script);
        Map<String, Object> out = new LinkedHashMap<>();
        long t = System.nanoTime();
        long g = Groups.create(f);
        out.put("create_group_s", (System.nanoTime() - t) / 1e9);
        List<Double> fiemap = new ArrayList<>();
        List<Double> list = new ArrayList<>();
        List<Double> apply = new ArrayList<>();
        List<Double> dm = new ArrayList<>();
        List<Double> createdPerTrial = new ArrayList<>();
        List<Double> deletedPerTrial = new ArrayList<>();
        int fd = Posix.openReadOnly(f.toString());
        try (DmStats stats = new DmStats("dmfilemapd")) {
            stats.bindFd(fd);
            stats.listAll();
            stats.setProgramId(stats.regionProgramId(g));
            RegionUpdater updater = new RegionUpdater(stats);
            out.put("extents", ExtentMap.read(fd).extents().size());
            long extra = (blocks + 64) * BLOCK; // far past the end: a new extent, not a neighbour's
            int inPlace = 0;
            for (int i = 0; i < cfg.warmup + cfg.scalingTrials; i++) {
                Shell.run(i % 2 == 0 ? "xfs_io -c 'falloc " + extra + " " + BLOCK + "' " + f
                        : "xfs_io -c 'fpunch " + extra + " " + BLOCK + "' " + f);
                // the device check's listing, which the monitor makes every interval anyway
                stats.list(null);
                long t0 = System.nanoTime();
                ExtentMap map = ExtentMap.read(fd);
                long t1 = System.nanoTime();
                if (updater.matches(g, map)) {
                    throw new IllegalStateException("trial " + i + " changed nothing");
                }
                Set<Long> before = new HashSet<>();
                for (Region m : stats.groupRegions(g)) {
                    before.add(m.id());
                }
                long t2 = System.nanoTime();
                // what the monitor does: in place from that listing, else list and rebuild
                RegionUpdater.Result r = updater.applyInPlace(g, map);
                if (r == null) {
                    stats.list(null);
                    r = updater.apply(g, map);
                } else if (i >= cfg.warmup) {
                    inPlace++;
                }
                long t3 = System.nanoTime();
                g = r.groupId();
                if (i >= cfg.warmup) {
                    fiemap.add(Stats.ms(t1 - t0));
                    list.add(Stats.ms(t2 - t1));
                    apply.add(Stats.ms(t3 - t2));
                    dm.add(Stats.ms(t3 - t1));
                    Set<Long> after = new HashSet<>(r.regionIds());
                    createdPerTrial.add((double) after.stream().filter(id -> !before.contains(id)).count());
                    deletedPerTrial.add((double) before.stream().filter(id -> !after.contains(id)).count());
                }
            }
            out.put("in_place", inPlace);
            out.put("created_per_trial", createdPerTrial);
            out.put("deleted_per_trial", deletedPerTrial);
            out.put("trials", dm.size());
            out.put("fiemap_ms", Stats.median(fiemap));
            out.put("compare_ms", Stats.median(list));
            out.put("apply_ms", Stats.median(apply));
            out.put("update_excl_fiemap_ms", Stats.median(dm));
            out.put("update_excl_fiemap_p95_ms", Stats.p95(dm));
            // the listing alone: the device check's cost each interval, not the update's
            List<Double> bare = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long a = System.nanoTime();
                stats.list(null);
                bare.add(Stats.ms(System.nanoTime() - a));
            }
            out.put("list_only_ms", Stats.median(bare));
            out.putAll(steps(stats, updater, g, fd));
            if (Boolean.getBoolean("bench.strace")) {
                out.put("ioctls", straceSteps(stats, g));
            }
            System.err.println("bench: scaling " + extents + " extents: " + out);
        } finally {
            Posix.close(fd);
        }
        Groups.deleteAll(f);
        Shell.run("rm -f " + f + " && sync");
        return out;
    }

    /**
     * What {@link RegionUpdater#applyInPlace} is made of, each step alone and timed on its own
     * (median of {@code scalingTrials} rounds, after the trials above, on the same group):
     * the Java side (an applyInPlace of the map the group already has: listing copy, Plan,
     * nothing sent), the tag's member list, and each dm message an update sends.
     */
    private Map<String, Object> steps(DmStats stats, RegionUpdater updater, long g, int fd)
            throws IOException, UpdateException {
        Map<String, List<Double>> t = new LinkedHashMap<>();
        for (String k : List.of("step_java_plan_ms", "step_describe_ms", "step_print_ms", "step_create_libdm_ms",
                "step_create_raw_ms", "step_set_aux_ms", "step_delete_raw_ms", "step_delete_libdm_ms")) {
            t.put(k, new ArrayList<>());
        }
        ExtentMap map = ExtentMap.read(fd);
        String programId = stats.regionProgramId(g);
        for (int i = 0; i < cfg.warmup + cfg.scalingTrials; i++) {
            stats.list(null);
            String tag = stats.groupTag(g);
            boolean keep = i >= cfg.warmup;
            long a = System.nanoTime();
            RegionUpdater.Result same = updater.applyInPlace(g, map);
            long b = System.nanoTime();
            if (same == null || same.changed()) {
                throw new IllegalStateException("the group no longer matches its file: " + same);
            }
            String members = GroupMembers.describe(same.regionIds());
            long c = System.nanoTime();
            stats.message("@stats_print " + g + " 0 1");
            long d = System.nanoTime();
            long id = stats.createRegion(0, 8, false, stats.regionHistogramBounds(g), programId, "");
            long e = System.nanoTime();
            stats.message("@stats_set_aux " + g + " " + tag.replace("\\", "\\\\").replace(" ", "\\ "));
            long f = System.nanoTime();
            stats.message("@stats_delete " + id);
            long h = System.nanoTime();
            String raw = stats.message("@stats_create 0+8 /1 " + programId + " -").trim();
            long j = System.nanoTime();
            stats.list(null);
            long k = System.nanoTime();
            stats.deleteRegion(Long.parseLong(raw));
            long l = System.nanoTime();
            if (keep) {
                t.get("step_java_plan_ms").add(Stats.ms(b - a));
                t.get("step_describe_ms").add(Stats.ms(c - b));
                t.get("step_print_ms").add(Stats.ms(d - c));
                t.get("step_create_libdm_ms").add(Stats.ms(e - d));
                t.get("step_set_aux_ms").add(Stats.ms(f - e));
                t.get("step_delete_raw_ms").add(Stats.ms(h - f));
                t.get("step_create_raw_ms").add(Stats.ms(j - h));
                t.get("step_delete_libdm_ms").add(Stats.ms(l - k));
            }
            if (members.isEmpty()) {
                throw new IllegalStateException("no members");
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        t.forEach((key, v) -> out.put(key, Stats.median(v)));
        return out;
    }

    /**
     * The ioctls each step sends, by strace on this thread ({@code -Dbench.strace=true},
     * strace installed): markers are failed opens of /nonexistent/mark-NAME.
     */
    private Map<String, Object> straceSteps(DmStats stats, long g) throws IOException {
        String tid = java.nio.file.Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        Path log = java.nio.file.Files.createTempFile("bench-strace", ".log");
        Process p = new ProcessBuilder("strace", "-p", tid, "-e", "trace=ioctl,openat", "-o", log.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long until = System.currentTimeMillis() + 20_000;
            while (!java.nio.file.Files.readString(log).contains("mark-attached") && System.currentTimeMillis() < until) {
                mark("attached");
                Thread.sleep(100);
            }
            String programId = stats.regionProgramId(g);
            stats.list(null);
            mark("print");
            stats.message("@stats_print " + g + " 0 1");
            mark("create_libdm");
            long id = stats.createRegion(0, 8, false, stats.regionHistogramBounds(g), programId, "");
            mark("delete_raw");
            stats.message("@stats_delete " + id);
            mark("create_raw");
            String raw = stats.message("@stats_create 0+8 /1 " + programId + " -").trim();
            mark("list");
            stats.list(null);
            mark("delete_libdm");
            stats.deleteRegion(Long.parseLong(raw));
            mark("end");
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            p.destroy();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        String step = null;
        List<String> calls = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(log)) {
            int m = line.indexOf("/nonexistent/mark-");
            if (m >= 0) {
                if (step != null && !step.equals("attached")) {
                    out.put(step, calls);
                }
                step = line.substring(m + 18, line.indexOf('"', m));
                calls = new ArrayList<>();
            } else if (step != null && line.contains("ioctl(")) {
                int a = line.indexOf(',');
                int b = line.indexOf(',', a + 1);
                calls.add(b > a ? line.substring(a + 1, b).trim() : line);
            }
        }
        java.nio.file.Files.deleteIfExists(log);
        return out;
    }

    private static void mark(String name) {
        try {
            Posix.close(Posix.openReadOnly("/nonexistent/mark-" + name));
        } catch (NativeIoException e) {
            // the failed open is the marker
        }
    }
}
