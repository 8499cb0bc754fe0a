package org.dmfilemapd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.dmfilemapd.metrics.Exposition.Format;
import org.dmfilemapd.metrics.Exposition.ServiceSample;
import org.junit.jupiter.api.Test;

class ExpositionTest {
    static final IoCounters PLAIN = IoCounters.parse("0+8 12 1 4096 30 5 0 80 9 2 20 40 25 10", false);
    static final IoCounters HIST = IoCounters.parse("0+8 6 0 48 6000000 0 0 0 0 0 6 6 6 0 3:2:1", true);

    static FileSample sample(byte[] path, IoCounters totals, long[] bounds) {
        return new FileSample(path, "vg-data", 254, 3, 7, "inode", totals, bounds, 1_700_000_000_000L, 2, 4, 1,
                1_700_000_100_500L, 3);
    }

    static final byte[] HOSTILE = {'/', 's', 'r', 'v', '/', 'a', ' ', '"', 'q', '"', '\n', 'b', '\\', (byte) 0xe9, '.',
        'i', 'm', 'g'};

    static List<FileSample> files() {
        return List.of(sample("/srv/vm.img".getBytes(StandardCharsets.UTF_8), PLAIN, new long[0]),
                sample(HOSTILE, HIST, new long[] {1_000_000, 10_000_000}));
    }

    @Test
    void prometheusTextHasEveryFamilyOnceWithTotals() {
        String text = Exposition.write(Format.PROMETHEUS, new ServiceSample(2, 123456), files());
        assertTrue(text.contains("# TYPE dmfilemapd_file_read_bytes_total counter\n"));
        assertTrue(text.contains("dmfilemapd_file_read_bytes_total{path=\"/srv/vm.img\",device=\"vg-data\","
                + "devno=\"254:3\",group_id=\"7\",mode=\"inode\"} 2097152\n"), text);
        assertTrue(text.contains("dmfilemapd_file_read_time_seconds_total{path=\"/srv/vm.img\"") );
        assertTrue(text.contains("dmfilemapd_file_io_now{path=\"/srv/vm.img\",device=\"vg-data\",devno=\"254:3\","
                + "group_id=\"7\",mode=\"inode\"} 2\n"));
        assertTrue(text.contains("dmfilemapd_kernel_stats_allocated_bytes 123456\n"));
        assertTrue(text.contains("path=\"/srv/a \\\"q\\\"\\\\x0ab\\\\\\\\\\\\xe9.img\""), text);
        assertFalse(text.contains("# EOF"));
        assertFalse(text.contains("_created"));
        assertEquals(1, count(text, "# TYPE dmfilemapd_file_io_latency_seconds histogram"));
    }

    @Test
    void histogramBucketsAreCumulativeAndInfIsTheCount() {
        String text = Exposition.write(Format.PROMETHEUS, new ServiceSample(2, -1), files());
        assertTrue(text.contains(",le=\"0.001\"} 3\n"), text);
        assertTrue(text.contains(",le=\"0.01\"} 5\n"));
        assertTrue(text.contains(",le=\"+Inf\"} 6\n"));
        assertTrue(text.contains("dmfilemapd_file_io_latency_seconds_count{path=\"/srv/a"));
        assertFalse(text.contains("kernel_stats"));
        assertEquals(3, count(text, "dmfilemapd_file_io_latency_seconds_bucket{"), "only the file with bounds");
    }

    @Test
    void openMetricsHasUnitsCreatedAndEof() {
        String text = Exposition.write(Format.OPENMETRICS, new ServiceSample(2, 1), files());
        assertTrue(text.contains("# TYPE dmfilemapd_file_read_bytes counter\n# UNIT dmfilemapd_file_read_bytes bytes\n"));
        assertTrue(text.contains("dmfilemapd_file_read_bytes_created{path=\"/srv/vm.img\",device=\"vg-data\",devno=\"254:3\","
                + "group_id=\"7\",mode=\"inode\"} 1700000000\n"));
        assertTrue(text.endsWith("# EOF\n"));
    }

    @Test
    void noFilesIsStillAnExposition() {
        assertEquals("# HELP dmfilemapd_files_monitored Files the service monitors.\n"
                + "# TYPE dmfilemapd_files_monitored gauge\ndmfilemapd_files_monitored 0\n",
                Exposition.write(Format.PROMETHEUS, new ServiceSample(0, -1), List.of()));
    }

    /** Debian's promtool (package prometheus), where installed: the real linter, not our reading of the format. */
    @Test
    void promtoolAcceptsIt() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")), "promtool not installed (Debian package prometheus)");
        String text = Exposition.write(Format.PROMETHEUS, new ServiceSample(2, 99), files());
        Process p = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out + "\n" + text);
        assertEquals("", out.trim());
    }

    static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
