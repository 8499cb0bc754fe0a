package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.monitor.ExtentMap;
import org.dmfilemapd.monitor.RegionUpdater;
import org.dmfilemapd.monitor.UpdateException;

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
                }
            }
            out.put("in_place", inPlace);
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
        } finally {
            Posix.close(fd);
        }
        Groups.deleteAll(f);
        Shell.run("rm -f " + f + " && sync");
        return out;
    }
}
