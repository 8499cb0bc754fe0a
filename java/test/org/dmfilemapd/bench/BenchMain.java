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
            results.put(fs, r);
            try (BenchDevice dev = new BenchDevice(fs)) {
                DaemonBench daemon = new DaemonBench(dev, command, logs, cfg);
                if (cfg.sections.contains("latency")) {
                    progress(fs + ": latency, idle, memory");
                    r.put("daemon", guarded(daemon::latencyAndIdle));
                    save(out, report, results);
                }
                if (!cfg.variants.isEmpty()) {
                    Map<String, Object> vs = new LinkedHashMap<>();
                    r.put("jvm_variants", vs);
                    for (Map.Entry<String, String> v : cfg.variants.entrySet()) {
                        progress(fs + ": JVM options '" + v.getKey() + "': " + v.getValue());
                        Map<String, Object> m = with("options", v.getValue(),
                                guarded(() -> daemon.latencyAndIdle(v.getValue(), "jvm-" + v.getKey())));
                        vs.put(v.getKey(), m);
                        save(out, report, results);
                    }
                }
                if (cfg.sections.contains("scaling")) {
                    List<Object> scaling = new ArrayList<>();
                    r.put("scaling", scaling);
                    for (int n : cfg.sizes) {
                        progress(fs + ": one-extent update in a file of " + n + " extents");
                        scaling.add(with("target_extents", n, guarded(() -> new ScalingBench(dev, cfg).run(n))));
                        save(out, report, results);
                    }
                }
                if (cfg.sections.contains("sustained")) {
                    progress(fs + ": sustained writer, " + cfg.sustainSeconds + " s");
                    r.put("sustained", guarded(daemon::sustained));
                    save(out, report, results);
                }
                if (cfg.sections.contains("service")) {
                    progress(fs + ": the service against a process per file, on two devices");
                    try (BenchDevice second = new BenchDevice(fs, "b")) {
                        ServiceBench sb = new ServiceBench(dev, second, command, logs);
                        if (cfg.serviceVariants.isEmpty()) {
                            r.put("service", guarded(sb::run));
                        } else {
                            // one service run per JVM option set, on the same files
                            Map<String, Object> vs = new LinkedHashMap<>();
                            r.put("service_variants", vs);
                            for (Map.Entry<String, String> v : cfg.serviceVariants.entrySet()) {
                                progress(fs + ": service with '" + v.getKey() + "': " + v.getValue());
                                vs.put(v.getKey(), with("variant", v.getValue(),
                                        guarded(() -> sb.run(ServiceBench.variantEnv(v.getValue())))));
                                save(out, report, results);
                            }
                        }
                    }
                    save(out, report, results);
                }
            }
        }
        Files.writeString(out, Json.write(withResults(report, results)));
        System.out.print(Table.render(results));
        if (!cfg.variants.isEmpty()) {
            System.out.print(Table.variants(results));
        }
        if (cfg.sections.contains("service")) {
            System.out.print(ServiceTable.render(results));
        }
        System.out.println("JSON: " + out);
    }

    interface Section {
        Map<String, Object> run() throws Exception;
    }

    /** A failed section is reported as such; the others still run. */
    private static Map<String, Object> guarded(Section s) {
        try {
            return s.run();
        } catch (Exception | Error e) {
            e.printStackTrace();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", e.toString());
            return m;
        }
    }

    private static void save(Path out, Map<String, Object> report, Map<String, Object> results)
            throws java.io.IOException {
        Files.writeString(out, Json.write(withResults(report, results)));
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
