package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.metrics.IoCounters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Per-file IO metrics through real components: the service writes node_exporter's textfile,
 * Debian's prometheus-node-exporter serves it on 127.0.0.1, the test scrapes it. IO of known
 * sizes (O_DIRECT, so nothing is cached and every byte reaches the device) shows up exactly
 * in its file's counters, and stays there through every kind of update of the group, scraped
 * in a loop meanwhile: totals never go down. No region's counters are ever cleared.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsTest extends OnDmDevice {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration SEEN = Duration.ofSeconds(20);
    static final String READ = "dmfilemapd_file_read_bytes_total";
    static final String WRITTEN = "dmfilemapd_file_written_bytes_total";
    static final String READS = "dmfilemapd_file_reads_completed_total";
    static final String WRITES = "dmfilemapd_file_writes_completed_total";

    private Path textfiles;
    private NodeExporter exporter;
    private Path a;
    private Path b;
    private long ga;
    private long gb;
    private long readA; // bytes the test read from a / wrote to it so far
    private long writtenA;

    @BeforeAll
    void serviceAndExporter() throws IOException {
        Service.reset(EXIT);
        Path dir = Files.createTempDirectory("dmfilemapd-metrics");
        textfiles = Files.createDirectory(dir.resolve("textfile"));
        exporter = new NodeExporter(textfiles);
    }

    @AfterAll
    void stop() throws IOException {
        Service.reset(EXIT);
        if (exporter != null) {
            exporter.close();
        }
    }

    @Override
    void clean() {
        // in order, on the same files and service
    }

    /** A file of {@code mb} MiB written through (real data: reads of unwritten extents issue no IO), then a spacer. */
    private Path written(String name, int mb) {
        Path f = dev.file(name);
        sh("dd if=/dev/urandom of=" + Sh.q(f.toString()) + " bs=1M count=" + mb + " oflag=direct status=none && fallocate -l 4M "
                + Sh.q(f + ".spacer") + " && sync");
        return f;
    }

    private void handOver(Path f, long group, String mode) throws IOException {
        Map<String, String> env = Map.of("DMFILEMAPD_METRICS_DIR", textfiles.toString(), "DMFILEMAPD_METRICS_INTERVAL", "1");
        try (DaemonProcess d = DaemonProcess.startInService(f, group, mode, false, 0, env)) {
            assertEquals(0, d.awaitExit(START), d.log());
        }
    }

    private static void directRead(Path f, long offsetKiB, int blocks64k) {
        sh("dd if=" + Sh.q(f.toString()) + " of=/dev/null bs=64k skip=" + offsetKiB / 64 + " count=" + blocks64k
                + " iflag=direct status=none");
    }

    private static void directWrite(Path f, long offsetKiB, int blocks64k) {
        sh("dd if=/dev/urandom of=" + Sh.q(f.toString()) + " bs=64k seek=" + offsetKiB / 64 + " count=" + blocks64k
                + " conv=notrunc oflag=direct status=none");
    }

    private double value(String scrape, String metric, Path f) {
        Double v = NodeExporter.byPath(scrape, metric).get(f.toString());
        return v == null ? -1 : v;
    }

    private void awaitTotals(Path f, long read, long written) {
        AtomicReference<String> last = new AtomicReference<>("");
        try {
            Kernel.await(f + ": " + read + " bytes read and " + written + " written", SEEN, () -> {
                try {
                    String s = exporter.scrape();
                    last.set(s);
                    return value(s, READ, f) == read && value(s, WRITTEN, f) == written;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nlast scrape:\n" + last.get(), e);
        }
    }

    @Test
    @Order(1)
    void knownIoShowsExactlyInItsFileOnly() throws IOException {
        a = written("a.img", 8);
        b = written("b.img", 4);
        ga = Kernel.createGroup(a, false, null, "a");
        gb = Kernel.createGroup(b, false, null, "b");
        handOver(a, ga, "inode");
        handOver(b, gb, "path");
        awaitTotals(a, 0, 0);
        awaitTotals(b, 0, 0);

        directRead(a, 0, 16);        // 1 MiB in 16 IOs
        directWrite(a, 2048, 8);     // 512 KiB in 8, over written data: no allocation change
        readA += 16 * 65536;
        writtenA += 8 * 65536;
        awaitTotals(a, readA, writtenA);
        String s = exporter.scrape();
        assertEquals(16, value(s, READS, a), s);
        assertEquals(8, value(s, WRITES, a), s);
        assertEquals(0, value(s, READ, b), "the other file's counters do not move");
        assertEquals(0, value(s, WRITTEN, b));
    }

    /** Scrapes in a loop while the group changes, and reads every region's raw counters as another tool would. */
    private final class Watcher {
        private final Thread thread;
        private volatile boolean stop;
        final List<String> violations = new ArrayList<>();
        int scrapes;

        Watcher() {
            thread = new Thread(this::run, "metrics-watcher");
            thread.start();
        }

        private void run() {
            double lastRead = -1;
            double lastWritten = -1;
            Map<String, long[]> raw = new HashMap<>(); // region (id+start+len) -> last raw counters
            while (!stop) {
                try {
                    String s = exporter.scrape();
                    scrapes++;
                    double r = value(s, READ, a);
                    double w = value(s, WRITTEN, a);
                    if (r >= 0 && r < lastRead || w >= 0 && w < lastWritten) {
                        violations.add("went down: read " + lastRead + " -> " + r + ", written " + lastWritten + " -> " + w);
                    }
                    lastRead = Math.max(lastRead, r);
                    lastWritten = Math.max(lastWritten, w);
                    try (DmStats stats = Kernel.handleFor(a)) {
                        // a region deleted and later recreated at the same place may get the same id: only
                        // regions present in consecutive listings are compared
                        java.util.Set<String> listed = new java.util.HashSet<>();
                        for (Region reg : stats.regions()) {
                            listed.add(reg.id() + "+" + reg.start() + "+" + reg.length());
                        }
                        raw.keySet().retainAll(listed);
                        for (Region reg : stats.regions()) {
                            String key = reg.id() + "+" + reg.start() + "+" + reg.length();
                            String text;
                            try {
                                text = stats.print(reg.id());
                            } catch (RuntimeException | org.dmfilemapd.jni.DmException e) {
                                continue; // deleted since the listing
                            }
                            IoCounters c = IoCounters.parse(text, stats.regionPrecise(reg.id()));
                            long[] now = {c.get(IoCounters.Field.READ_SECTORS), c.get(IoCounters.Field.WRITE_SECTORS)};
                            long[] before = raw.put(key, now);
                            if (before != null && (now[0] < before[0] || now[1] < before[1])) {
                                violations.add("region " + key + " counters cleared: " + before[0] + "/" + before[1]
                                        + " -> " + now[0] + "/" + now[1]);
                            }
                        }
                    }
                    Thread.sleep(100);
                } catch (IOException e) {
                    // a scrape may fail while the textfile is replaced: not a violation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void finish() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }

    @Test
    @Order(2)
    void totalsStayThroughEveryUpdate() throws Exception {
        Watcher w = new Watcher();
        try {
            // growth: in place (a new region after the spacer)
            sh("fallocate -o 8M -l 4M " + a);
            awaitInSync(a);
            directWrite(a, 8 * 1024, 16);
            directRead(a, 8 * 1024, 16);
            writtenA += 16 * 65536;
            readA += 16 * 65536;
            awaitTotals(a, readA, writtenA);

            // the leader's extent replaced (punched and allocated elsewhere): a rebuild, new leader
            directRead(a, 0, 8);
            readA += 8 * 65536;
            sh("fallocate -p -o 0 -l 1M " + a + " && fallocate -l 1M " + dev.file("filler") + " && fallocate -o 0 -l 1M "
                    + a + " && sync");
            awaitInSync(a);
            awaitTotals(a, readA, writtenA);

            // defragmentation moves extents: regions replaced
            directWrite(a, 4096, 8);
            writtenA += 8 * 65536;
            awaitTotals(a, readA, writtenA);
            // xfs_fsr copies the file: its reads of the file's blocks are real IO on its regions
            sh("xfs_fsr -v " + a + " >/dev/null 2>&1 || true; sync");
            awaitInSync(a);
            long[] settled = awaitSettled(a);
            assertTrue(settled[0] >= readA && settled[1] >= writtenA, "nothing lost by the defragmentation");
            readA = settled[0];
            writtenA = settled[1];

            // truncate (regions deleted) and regrow (new regions at zero)
            directRead(a, 6144, 16);
            readA += 16 * 65536;
            sh("truncate -s 4M " + a + " && sync");
            awaitInSync(a);
            awaitTotals(a, readA, writtenA);
            sh("fallocate -o 4M -l 8M " + a + " && sync");
            awaitInSync(a);
            directWrite(a, 4096, 4);
            writtenA += 4 * 65536;
            awaitTotals(a, readA, writtenA);
        } finally {
            w.finish();
        }
        assertTrue(w.violations.isEmpty(), w.violations.toString());
        assertTrue(w.scrapes > 10, "scraped throughout: " + w.scrapes);
        String s = exporter.scrape();
        assertTrue(NodeExporter.byPath(s, "dmfilemapd_file_region_carries_total").get(a.toString()) > 0, s);
        assertEquals(0, value(s, READ, b));
    }

    /** The file's read and written bytes once two scrapes two collections apart agree. */
    private long[] awaitSettled(Path f) {
        long[][] last = {{-1, -1}};
        Kernel.await(f + ": counters settled", SEEN, () -> {
            try {
                String s1 = exporter.scrape();
                Thread.sleep(2500);
                String s2 = exporter.scrape();
                long[] now = {(long) value(s2, READ, f), (long) value(s2, WRITTEN, f)};
                last[0] = now;
                return now[0] >= 0 && now[0] == (long) value(s1, READ, f) && now[1] == (long) value(s1, WRITTEN, f);
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        return last[0];
    }

    /** Until the group the file's monitor follows now (a rebuild may give it a new id) matches the file. */
    private void awaitInSync(Path f) {
        Kernel.await(f + " in sync", SYNC, () -> {
            try {
                return Kernel.inSync(f, currentGroup(f));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        });
    }

    /** The group a's monitor follows now (a rebuild may give it a new leader id). */
    private long currentGroup(Path f) {
        return Service.status().stream().filter(st -> st.path().equals(f.toString())).findFirst().orElseThrow()
                .groupId();
    }

    @Test
    @Order(3)
    void histogramBucketsAreCumulativeAndMatchTheKernel() throws IOException {
        Path h = written("h.img", 4);
        long gh = Kernel.createGroup(h, true, new long[] {100_000, 1_000_000, 10_000_000}, "h");
        handOver(h, gh, "inode");
        directRead(h, 0, 32);
        awaitTotals(h, 32 * 65536, 0);
        String s = exporter.scrape();
        long[] kernel = new long[4];
        try (DmStats stats = Kernel.handleFor(h)) {
            for (Region r : Kernel.group(h, gh)) {
                long[] bins = IoCounters.parse(stats.print(r.id()), true).histogram();
                for (int i = 0; i < bins.length; i++) {
                    kernel[i] += bins[i];
                }
            }
        }
        // node_exporter prints labels in its own (sorted) order: match the path anywhere, order by le
        java.util.TreeMap<Double, Double> byLe = new java.util.TreeMap<>();
        String pathLabel = "path=\"" + h + "\"";
        for (String line : s.split("\n")) {
            if (line.startsWith("dmfilemapd_file_io_latency_seconds_bucket{") && line.contains(pathLabel)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("le=\"([^\"]+)\"").matcher(line);
                assertTrue(m.find(), line);
                double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                byLe.put(le, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        List<Double> buckets = new ArrayList<>(byLe.values());
        assertEquals(4, buckets.size(), s);
        long cumulative = 0;
        for (int i = 0; i < 4; i++) {
            cumulative += kernel[i];
            assertEquals(cumulative, buckets.get(i), "bucket " + i + " of " + s);
        }
        assertEquals(32, cumulative, "+Inf is every IO");
        assertTrue(s.lines().anyMatch(l -> l.startsWith("dmfilemapd_file_io_latency_seconds_count{") && l.contains(pathLabel)
                && l.contains("device=\"" + dev.name + "\"") && l.endsWith(" 32")), s);
    }

    @Test
    @Order(4)
    void promtoolAcceptsTheTextOfAnyName() throws IOException {
        Path odd = dev.file("odd name \"quoted\"\nnew line é.img");
        sh("dd if=/dev/urandom of=" + Sh.q(odd.toString()) + " bs=1M count=2 oflag=direct status=none && sync");
        long g = Kernel.createGroup(odd, false, null, "odd");
        handOver(odd, g, "path");
        Kernel.await("the odd file in the textfile", SEEN, () -> {
            try {
                return Files.readString(textfiles.resolve("dmfilemapd.prom")).contains("odd name \\\"quoted\\\"\\\\x0anew line é.img");
            } catch (IOException e) {
                return false;
            }
        });
        String text = Files.readString(textfiles.resolve("dmfilemapd.prom"));
        String lint = Sh.run("promtool check metrics < " + textfiles.resolve("dmfilemapd.prom") + " 2>&1; echo rc=$?");
        assertEquals("rc=0", lint.trim(), text);
        DaemonProcess d = DaemonProcess.shell("exec " + Sh.q(DaemonProcess.LAUNCHER.toString()) + " metrics", true);
        assertEquals(0, d.awaitExit(START), d.log());
        Path out = textfiles.resolveSibling("command.prom");
        Files.writeString(out, d.stdout());
        assertEquals("rc=0", Sh.run("promtool check metrics < " + out + " 2>&1; echo rc=$?").trim(), d.stdout());
        assertTrue(d.stdout().contains("dmfilemapd_files_monitored 4\n"), d.stdout());
        assertTrue(new String(Files.readAllBytes(out), StandardCharsets.UTF_8).contains(READ + "{path=\"" + a + "\""));
    }
}
