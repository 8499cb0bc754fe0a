package org.dmfilemapd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark (scripts/bench runs it as root on a device-mapper kernel): for each
 * filesystem, a fresh dm-linear device; update latency, idle cost and memory of the real
 * daemon; extent scaling in process; a sustained writer. Writes one JSON report and prints
 * the table. Usage: BenchMain OUT.json (settings: see {@link BenchConfig}).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] argv) throws Exception {
        Path out = Path.of(argv.length > 0 ? argv[0] : "target/bench/bench.json");
        Path command = Path.of(System.getProperty("bench.command", "scripts/dmfilemapd")).toAbsolutePath();
        Path logs = out.toAbsolutePath().getParent();
        Files.createDirectories(logs);
        BenchConfig cfg = new BenchConfig();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", Instant.now().toString());
        report.put("machine", Machine.describe());
        report.put("jvm_options", System.getProperty("bench.jvmOptions", "(scripts/dmfilemapd default_opts)"));
        Map<String, Object> results = new LinkedHashMap<>();
        for (String fs : cfg.filesystems) {
            Map<String, Object> r = new LinkedHashMap<>();
            try (BenchDevice dev = new BenchDevice(fs)) {
                DaemonBench daemon = new DaemonBench(dev, command, logs, cfg);
                if (cfg.sections.contains("latency")) {
                    progress(fs + ": latency, idle, memory");
                    r.put("daemon", daemon.latencyAndIdle());
                }
                if (cfg.sections.contains("scaling")) {
                    List<Object> scaling = new ArrayList<>();
                    for (int n : cfg.sizes) {
                        progress(fs + ": one-extent update in a file of " + n + " extents");
                        scaling.add(with("target_extents", n, new ScalingBench(dev, cfg).run(n)));
                    }
                    r.put("scaling", scaling);
                }
                if (cfg.sections.contains("sustained")) {
                    progress(fs + ": sustained writer, " + cfg.sustainSeconds + " s");
                    r.put("sustained", daemon.sustained());
                }
            }
            results.put(fs, r);
            Files.writeString(out, Json.write(withResults(report, results)));
        }
        Files.writeString(out, Json.write(withResults(report, results)));
        System.out.print(Table.render(results));
        System.out.println("JSON: " + out);
    }

    private static Map<String, Object> withResults(Map<String, Object> report, Map<String, Object> results) {
        Map<String, Object> m = new LinkedHashMap<>(report);
        m.put("results", results);
        return m;
    }

    private static Map<String, Object> with(String k, Object v, Map<String, Object> rest) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k, v);
        m.putAll(rest);
        return m;
    }

    private static void progress(String what) {
        System.err.printf(Locale.ROOT, "bench: %s%n", what);
    }
}
