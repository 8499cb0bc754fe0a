package org.dmfilemapd.metrics;

import java.util.List;
import java.util.Locale;

import org.dmfilemapd.metrics.IoCounters.Field;

/**
 * The metrics text: every monitored file's IO counters and its monitor's figures, and the
 * service's own. Two formats of one content:
 * <ul>
 * <li>{@link Format#PROMETHEUS}, the Prometheus text format 0.0.4: what node_exporter's
 * textfile collector, Prometheus, {@code promtool check metrics} and PCP's
 * {@code pmdaopenmetrics} read. A file's series start is a gauge,
 * {@code dmfilemapd_file_counters_start_timestamp_seconds}.</li>
 * <li>{@link Format#OPENMETRICS}, OpenMetrics 1.0: families named without {@code _total}, units
 * declared, each counter's start as its {@code _created} sample, and {@code # EOF}.</li>
 * </ul>
 * Names and units follow node_exporter's disk collector. Label values are escaped per the
 * format; a path is first made printable UTF-8 by {@link DisplayPath}.
 */
public final class Exposition {
    public enum Format {
        PROMETHEUS, OPENMETRICS
    }

    /** The service's own figures; {@code kernelStatsBytes} is -1 when the kernel does not say. */
    public record ServiceSample(int filesMonitored, long kernelStatsBytes) {
    }

    private enum Kind {
        COUNTER, GAUGE
    }

    private record Counter(String name, String unit, String help, Field field, Scale scale) {
    }

    private enum Scale {
        NONE, BYTES_PER_SECTOR, SECONDS
    }

    private static final List<Counter> IO = List.of(
            new Counter("dmfilemapd_file_reads_completed", "", "Reads completed in the file's regions.", Field.READS, Scale.NONE),
            new Counter("dmfilemapd_file_reads_merged", "", "Reads merged in the file's regions.", Field.READS_MERGED, Scale.NONE),
            new Counter("dmfilemapd_file_read_bytes", "bytes", "Bytes read from the file's regions.", Field.READ_SECTORS, Scale.BYTES_PER_SECTOR),
            new Counter("dmfilemapd_file_read_time_seconds", "seconds", "Time spent by reads of the file's regions.", Field.READ_TIME, Scale.SECONDS),
            new Counter("dmfilemapd_file_writes_completed", "", "Writes completed in the file's regions.", Field.WRITES, Scale.NONE),
            new Counter("dmfilemapd_file_writes_merged", "", "Writes merged in the file's regions.", Field.WRITES_MERGED, Scale.NONE),
            new Counter("dmfilemapd_file_written_bytes", "bytes", "Bytes written to the file's regions.", Field.WRITE_SECTORS, Scale.BYTES_PER_SECTOR),
            new Counter("dmfilemapd_file_write_time_seconds", "seconds", "Time spent by writes to the file's regions.", Field.WRITE_TIME, Scale.SECONDS),
            new Counter("dmfilemapd_file_io_time_seconds", "seconds", "Time the file's regions had IO in progress.", Field.IO_TIME, Scale.SECONDS),
            new Counter("dmfilemapd_file_io_time_weighted_seconds", "seconds", "IO time of the file's regions weighted by the IOs in progress.", Field.WEIGHTED_IO_TIME, Scale.SECONDS));

    private final Format format;
    private final StringBuilder out = new StringBuilder(4096);

    private Exposition(Format format) {
        this.format = format;
    }

    public static String write(Format format, ServiceSample service, List<FileSample> files) {
        Exposition e = new Exposition(format);
        e.all(service, files);
        return e.out.toString();
    }

    private void all(ServiceSample service, List<FileSample> files) {
        family("dmfilemapd_files_monitored", Kind.GAUGE, "", "Files the service monitors.");
        sample("dmfilemapd_files_monitored", "", service.filesMonitored());
        if (service.kernelStatsBytes() >= 0) {
            family("dmfilemapd_kernel_stats_allocated_bytes", Kind.GAUGE, "bytes",
                    "Kernel memory in use by dm-stats, all devices (stats_current_allocated_bytes).");
            sample("dmfilemapd_kernel_stats_allocated_bytes", "", service.kernelStatsBytes());
        }
        if (files.isEmpty()) {
            end();
            return;
        }
        String[] labels = new String[files.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = labels(files.get(i));
        }
        for (Counter c : IO) {
            family(c.name(), Kind.COUNTER, c.unit(), c.help());
            for (int i = 0; i < labels.length; i++) {
                FileSample f = files.get(i);
                IoCounters t = f.totals();
                double v = switch (c.scale()) {
                    case NONE -> t.get(c.field());
                    case BYTES_PER_SECTOR -> t.get(c.field()) * 512.0;
                    case SECONDS -> t.seconds(c.field());
                };
                counter(c.name(), labels[i], v, f.seriesStartEpochMillis());
            }
        }
        family("dmfilemapd_file_io_now", Kind.GAUGE, "", "IOs in progress in the file's regions.");
        for (int i = 0; i < labels.length; i++) {
            sample("dmfilemapd_file_io_now", labels[i], files.get(i).totals().get(Field.IO_IN_PROGRESS));
        }
        histograms(files, labels);
        if (format == Format.PROMETHEUS) {
            family("dmfilemapd_file_counters_start_timestamp_seconds", Kind.GAUGE, "seconds",
                    "When the file's counters started from zero (its hand-over, or its group replaced by someone else).");
            for (int i = 0; i < labels.length; i++) {
                sample("dmfilemapd_file_counters_start_timestamp_seconds", labels[i],
                        files.get(i).seriesStartEpochMillis() / 1e3);
            }
        }
        family("dmfilemapd_file_regions", Kind.GAUGE, "", "Regions in the file's group.");
        for (int i = 0; i < labels.length; i++) {
            sample("dmfilemapd_file_regions", labels[i], files.get(i).regions());
        }
        family("dmfilemapd_file_updates", Kind.COUNTER, "", "Updates of the file's group that changed regions.");
        for (int i = 0; i < labels.length; i++) {
            counter("dmfilemapd_file_updates", labels[i], files.get(i).updates(), files.get(i).seriesStartEpochMillis());
        }
        family("dmfilemapd_file_update_failures", Kind.COUNTER, "", "Updates of the file's group that failed.");
        for (int i = 0; i < labels.length; i++) {
            counter("dmfilemapd_file_update_failures", labels[i], files.get(i).updateFailures(),
                    files.get(i).seriesStartEpochMillis());
        }
        family("dmfilemapd_file_last_update_timestamp_seconds", Kind.GAUGE, "seconds",
                "Time of the last update that changed the file's regions (0: none yet).");
        for (int i = 0; i < labels.length; i++) {
            sample("dmfilemapd_file_last_update_timestamp_seconds", labels[i], files.get(i).lastUpdateEpochMillis() / 1e3);
        }
        family("dmfilemapd_file_region_carries", Kind.COUNTER, "",
                "Deleted regions whose counters were carried into the file's totals.");
        for (int i = 0; i < labels.length; i++) {
            counter("dmfilemapd_file_region_carries", labels[i], files.get(i).carries(), files.get(i).seriesStartEpochMillis());
        }
        end();
    }

    /** Latency histograms of the files whose group has bounds; bins made cumulative. */
    private void histograms(List<FileSample> files, String[] labels) {
        String name = "dmfilemapd_file_io_latency_seconds";
        boolean any = false;
        for (int i = 0; i < labels.length; i++) {
            FileSample f = files.get(i);
            long[] bins = f.totals().histogram();
            long[] bounds = f.histogramBoundsNs();
            if (bounds.length == 0 || bins.length != bounds.length + 1) {
                continue;
            }
            if (!any) {
                out.append("# HELP ").append(name).append(" Latency of the IOs completed in the file's regions "
                        + "(dm-stats histogram; the sum is the reads' and writes' time).\n");
                out.append("# TYPE ").append(name).append(" histogram\n");
                if (format == Format.OPENMETRICS) {
                    out.append("# UNIT ").append(name).append(" seconds\n");
                }
                any = true;
            }
            long cumulative = 0;
            for (int b = 0; b < bins.length; b++) {
                cumulative += bins[b];
                String le = b < bounds.length ? number(bounds[b] / 1e9) : "+Inf";
                out.append(name).append("_bucket{").append(labels[i]).append(",le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            IoCounters t = f.totals();
            out.append(name).append("_count{").append(labels[i]).append("} ").append(cumulative).append('\n');
            out.append(name).append("_sum{").append(labels[i]).append("} ")
                    .append(number(t.seconds(Field.READ_TIME) + t.seconds(Field.WRITE_TIME))).append('\n');
            if (format == Format.OPENMETRICS) {
                out.append(name).append("_created{").append(labels[i]).append("} ")
                        .append(number(f.seriesStartEpochMillis() / 1e3)).append('\n');
            }
        }
    }

    private void family(String name, Kind kind, String unit, String help) {
        String type = kind == Kind.COUNTER ? "counter" : "gauge";
        String fam = kind == Kind.COUNTER && format == Format.PROMETHEUS ? name + "_total" : name;
        out.append("# HELP ").append(fam).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(fam).append(' ').append(type).append('\n');
        if (format == Format.OPENMETRICS && !unit.isEmpty()) {
            out.append("# UNIT ").append(fam).append(' ').append(unit).append('\n');
        }
    }

    private void counter(String name, String labels, double value, long startMillis) {
        sample(name + "_total", labels, value);
        if (format == Format.OPENMETRICS) {
            sample(name + "_created", labels, startMillis / 1e3);
        }
    }

    private void sample(String name, String labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    private void end() {
        if (format == Format.OPENMETRICS) {
            out.append("# EOF\n");
        }
    }

    private static String labels(FileSample f) {
        return "path=\"" + escape(DisplayPath.of(f.path())) + "\",device=\"" + escape(f.deviceName()) + "\",devno=\""
                + f.major() + ":" + f.minor() + "\",group_id=\"" + f.groupId() + "\",mode=\"" + escape(f.mode()) + "\"";
    }

    /** A label value: backslash, double quote and line feed escaped (both formats). */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Integers without a fraction (counters stay exact up to 2^53), others as Java prints doubles. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
