package org.dmfilemapd.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Wire;
import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.UnixSocket;
import org.dmfilemapd.metrics.Exposition;
import org.dmfilemapd.metrics.FileSample;
import org.dmfilemapd.metrics.IoCounters;
import org.dmfilemapd.metrics.TextfileWriter;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.domain.MonitorStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's metrics: every monitored file's IO counters (continuous across updates) and
 * its monitor's figures, as text, on one thread of its own ({@code dmfilemapd-metrics}), never
 * the loop's or a worker's, so a slow collection (a group of 10,000 regions is 10,000
 * {@code @stats_print}) delays no update. It answers {@code dmfilemapd metrics} and, when a
 * directory is set, writes node_exporter's textfile every interval.
 *
 * <p>Settings (environment): {@code DMFILEMAPD_METRICS_DIR} (default
 * {@value #DEBIAN_TEXTFILE_DIR} when it exists; empty: off), {@code DMFILEMAPD_METRICS_INTERVAL}
 * (seconds, default 15).
 */
final class MetricsExporter {
    private static final Logger LOG = LoggerFactory.getLogger("dmfilemapd.service");
    static final String DEBIAN_TEXTFILE_DIR = "/var/lib/prometheus/node-exporter";
    static final String KERNEL_STATS_BYTES = "/sys/module/dm_mod/parameters/stats_current_allocated_bytes";
    static final int DEFAULT_INTERVAL_S = 15;

    private final DmfilemapdService service;
    private final TextfileWriter textfile; // null: off
    private final int intervalSeconds;
    private final ScheduledThreadPoolExecutor thread;

    MetricsExporter(DmfilemapdService service, Path textfileDir, int intervalSeconds) {
        this.service = service;
        this.textfile = textfileDir == null ? null : new TextfileWriter(textfileDir);
        this.intervalSeconds = intervalSeconds;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, MonitorHost.THREAD_PREFIX + "metrics");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
    }

    /** From the environment; a bad setting is logged and the default taken. */
    static MetricsExporter fromEnvironment(DmfilemapdService service) {
        String dir = System.getenv("DMFILEMAPD_METRICS_DIR");
        Path textfileDir;
        if (dir == null) {
            textfileDir = Files.isDirectory(Path.of(DEBIAN_TEXTFILE_DIR)) ? Path.of(DEBIAN_TEXTFILE_DIR) : null;
        } else if (dir.isEmpty()) {
            textfileDir = null;
        } else if (!dir.startsWith("/") || !Files.isDirectory(Path.of(dir))) {
            LOG.warn("DMFILEMAPD_METRICS_DIR={} is not an existing directory: no textfile for node_exporter.", dir);
            textfileDir = null;
        } else {
            textfileDir = Path.of(dir);
        }
        int interval = DEFAULT_INTERVAL_S;
        String s = System.getenv("DMFILEMAPD_METRICS_INTERVAL");
        if (s != null && !s.isEmpty()) {
            try {
                interval = Integer.parseInt(s);
                if (interval < 1 || interval > 86400) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                LOG.warn("DMFILEMAPD_METRICS_INTERVAL={} is not a number of seconds from 1 to 86400: using {}.", s,
                        DEFAULT_INTERVAL_S);
                interval = DEFAULT_INTERVAL_S;
            }
        }
        return new MetricsExporter(service, textfileDir, interval);
    }

    void start() {
        if (textfile != null) {
            LOG.info("Writing metrics to {} every {} s.", textfile.target(), intervalSeconds);
            thread.scheduleWithFixedDelay(this::writeTextfile, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        }
    }

    /** Stops writing; the textfile is removed (a stopped service monitors nothing). */
    void stop() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (textfile != null) {
            try {
                textfile.remove();
            } catch (IOException e) {
                LOG.warn("Cannot remove {}: {}", textfile.target(), e.getMessage());
            }
        }
    }

    /** Answers a {@code metrics} request on the metrics thread, then closes the connection. */
    void answer(UnixSocket conn, boolean openMetrics) {
        onThread(conn, "metrics", () -> {
            List<String> chunks = Wire.chunks(text(openMetrics ? Exposition.Format.OPENMETRICS
                    : Exposition.Format.PROMETHEUS));
            for (String c : chunks) {
                conn.send(Wire.encode(new Reply.Text(c)), -1);
            }
            conn.send(Wire.encode(new Reply.StatusEnd(chunks.size())), -1);
        });
    }

    /**
     * Answers a {@code status} request on the metrics thread, after a collection (so its bytes
     * read and written are current), then closes the connection.
     */
    void answerStatus(UnixSocket conn) {
        onThread(conn, "status", () -> {
            for (Tracked t : service.tracked()) {
                collect(t.monitor);
            }
            List<MonitorStatus> all = service.status();
            for (MonitorStatus s : all) {
                conn.send(Wire.encode(new Reply.StatusEntry(s)), -1);
            }
            conn.send(Wire.encode(new Reply.StatusEnd(all.size())), -1);
        });
    }

    private interface Answer {
        void send() throws NativeIoException;
    }

    /** Runs {@code answer} on the metrics thread and closes the connection after it (at once when stopping). */
    private void onThread(UnixSocket conn, String what, Answer answer) {
        try {
            thread.execute(() -> {
                try {
                    answer.send();
                } catch (NativeIoException e) {
                    LOG.debug("Cannot answer a {} request: {}", what, e.getMessage());
                } finally {
                    conn.close();
                }
            });
        } catch (RejectedExecutionException e) {
            conn.close(); // stopping
        }
    }

    private static IoCounters collect(FileMonitor m) {
        try {
            return m.collectCounters();
        } catch (DmException e) {
            LOG.debug("Cannot read the counters of group {}: {}", m.groupId(), e.getMessage());
            return null;
        }
    }

    private void writeTextfile() {
        try {
            textfile.write(text(Exposition.Format.PROMETHEUS));
        } catch (IOException e) {
            LOG.warn("Cannot write {}: {}", textfile.target(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Failure while writing the metrics", e);
        }
    }

    /** One collection of every monitored file, as text. */
    String text(Exposition.Format format) {
        List<FileSample> files = new ArrayList<>();
        List<Tracked> all = service.tracked();
        for (Tracked t : all) {
            FileMonitor m = t.monitor;
            IoCounters totals = collect(m);
            if (totals == null) {
                continue; // never read yet: no series rather than a false zero
            }
            MonitorStatus s = t.status();
            files.add(new FileSample(s.path().getBytes(StandardCharsets.UTF_8), deviceName(s), s.devMajor(),
                    s.devMinor(), s.groupId(), s.mode().word(), totals, m.histogramBoundsNs(),
                    m.counters().createdEpochMillis(), s.regionCount(), s.updates(), m.updateFailures(),
                    s.lastUpdateEpochMillis(), m.counters().carries()));
        }
        return Exposition.write(format, new Exposition.ServiceSample(all.size(), kernelStatsBytes()), files);
    }

    private static String deviceName(MonitorStatus s) {
        try {
            return Files.readString(Path.of("/sys/dev/block/" + s.device() + "/dm/name")).trim();
        } catch (IOException e) {
            return s.device();
        }
    }

    private static long kernelStatsBytes() {
        try {
            return Long.parseLong(Files.readString(Path.of(KERNEL_STATS_BYTES)).trim());
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

}
