package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Churn: two monitored files on one XFS device, one per mode, changed by a seeded random
 * sequence of fallocate, punch, append, truncate, overwrite, copy-on-write rewrite, rename
 * (inode mode) and replace-by-rename (path mode). After every batch the system is left quiet
 * and both groups must equal their file's merged extents (within {@link #QUIET}); nothing
 * else may appear on the device, and the daemons' fds, inotify instances, threads and RSS
 * must stay flat.
 *
 * <p>The lane runs a fixed number of operations ({@code -Ddmfilemapd.soak.ops}, default
 * {@value #LANE_OPS}); {@code scripts/soak --minutes N} sets {@code -Ddmfilemapd.soak.minutes}
 * and it runs for that long. Figures go to stdout and {@code target/soak/summary.txt}.
 */
class SoakTest extends OnDmDevice {
    static final int LANE_OPS = 60;
    /** Longer than the daemon's 5 s periodic remap: a move without an event is seen within it. */
    static final Duration QUIET = Duration.ofSeconds(20);
    static final String INODE_ALIAS = "soak-inode";
    static final String PATH_ALIAS = "soak-path";

    private final List<DaemonProcess> daemons = new ArrayList<>();

    @AfterEach
    void stopDaemons() {
        daemons.forEach(DaemonProcess::close);
    }

    @Test
    void churnKeepsBothGroupsInSyncAndTheDaemonsFlat() throws IOException {
        long seed = Long.getLong("dmfilemapd.soak.seed", 20261201L);
        long minutes = Long.getLong("dmfilemapd.soak.minutes", 0);
        int maxOps = Integer.getInteger("dmfilemapd.soak.ops", LANE_OPS);
        long endNanos = minutes > 0 ? System.nanoTime() + Duration.ofMinutes(minutes).toNanos() : Long.MAX_VALUE;
        boolean reflink = Sh.run("xfs_info " + dev.mount).contains("reflink=1");
        assertTrue(reflink, "mkfs.xfs made a filesystem without reflink: the copy-on-write operations need it");

        sh("mkdir -p " + dev.file("sub") + " && fallocate -l " + ChurnPlan.INITIAL_MB + "M " + dev.file("a")
                + " && fallocate -l " + ChurnPlan.INITIAL_MB + "M " + dev.file("p") + " && sync");
        ChurnPlan inode = new ChurnPlan(seed, false, reflink, dev.mount.toString(), "a", "sub/a2", "a3");
        ChurnPlan path = new ChurnPlan(seed + 1, true, reflink, dev.mount.toString(), "p");
        Kernel.createGroup(Path.of(inode.path()), false, null, INODE_ALIAS);
        Kernel.createGroup(Path.of(path.path()), true, new long[] {MS, 10 * MS}, PATH_ALIAS);
        DaemonProcess inodeDaemon = start(inode, Groups.idOf(dev.file("a"), INODE_ALIAS), "inode");
        DaemonProcess pathDaemon = start(path, Groups.idOf(dev.file("p"), PATH_ALIAS), "path");

        Random batches = new Random(seed + 2);
        Map<ChurnPlan.Kind, Integer> kinds = new EnumMap<>(ChurnPlan.Kind.class);
        List<String> violations = new ArrayList<>();
        ProcessResources[] first = new ProcessResources[2];
        long ops = 0;
        long checks = 0;
        long t0 = System.nanoTime();
        while (minutes > 0 ? System.nanoTime() < endNanos : ops < maxOps) {
            int batch = 1 + batches.nextInt(4);
            for (int i = 0; i < batch; i++) {
                ChurnPlan.Op op = (batches.nextBoolean() ? inode : path).next();
                sh(op.command());
                kinds.merge(op.kind(), 1, Integer::sum);
                ops++;
            }
            for (DaemonProcess d : daemons) {
                if (!d.alive()) {
                    fail("a daemon exited during churn after " + ops + " operations:\n" + d.log());
                }
            }
            checks += 2;
            awaitQuiet(inode, INODE_ALIAS, violations);
            awaitQuiet(path, PATH_ALIAS, violations);
            if (checks == 6) { // warmed up: the daemons have mapped, updated and regrouped
                first[0] = ProcessResources.of(inodeDaemon.pid());
                first[1] = ProcessResources.of(pathDaemon.pid());
            }
        }
        ProcessResources[] last = {ProcessResources.of(inodeDaemon.pid()), ProcessResources.of(pathDaemon.pid())};
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

        List<String> report = new ArrayList<>();
        report.add("soak: seed " + seed + ", " + seconds + " s, " + ops + " operations " + kinds + ", " + checks
                + " checks, " + violations.size() + " violations");
        report.add("soak: inode-mode daemon start " + first[0] + "; end " + last[0]);
        report.add("soak: path-mode daemon start " + first[1] + "; end " + last[1]);
        violations.forEach(v -> report.add("soak: violation: " + v));
        report.forEach(System.out::println);
        Files.createDirectories(Path.of("target/soak"));
        Files.write(Path.of("target/soak/summary.txt"), report);

        assertEquals(List.of(), violations, "groups out of sync at quiescent points");
        // (an update writes the tag, then deletes the members it replaced: in sync comes first)
        Path anchor = dev.file(".anchor");
        Kernel.await("no region outside the two groups", SYNC, () -> {
            try {
                return Groups.memberCount(anchor, INODE_ALIAS) + Groups.memberCount(anchor, PATH_ALIAS)
                        == Kernel.allRegions(anchor).size();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 2; i++) {
            assertEquals(1, last[i].inotify(), "inotify instances: " + last[i]);
            assertTrue(last[i].fds() <= first[i].fds(), "fds grew: " + first[i] + " -> " + last[i]);
            assertTrue(last[i].threads() <= first[i].threads() + 1, "threads grew: " + first[i] + " -> " + last[i]);
            // the heap is capped at 48 MiB; growth beyond that would be a native leak
            assertTrue(last[i].rssKb() <= first[i].rssKb() + 48 * 1024, "RSS grew: " + first[i] + " -> " + last[i]);
        }
    }

    private DaemonProcess start(ChurnPlan plan, long groupId, String mode) throws IOException {
        DaemonProcess d = DaemonProcess.start(Path.of(plan.path()), groupId, mode, true, 2);
        daemons.add(d);
        d.awaitWatching();
        return d;
    }

    /** Waits for the group called {@code alias} to equal the file; records a violation if it does not. */
    private static void awaitQuiet(ChurnPlan plan, String alias, List<String> violations) throws IOException {
        Path f = Path.of(plan.path());
        long end = System.nanoTime() + QUIET.toNanos();
        while (System.nanoTime() < end) {
            if (Groups.inSync(f, alias)) {
                return;
            }
            Kernel.pause();
        }
        violations.add(alias + " (" + f + "): regions " + Groups.members(f, alias) + ", extents " + Kernel.extents(f));
    }
}
