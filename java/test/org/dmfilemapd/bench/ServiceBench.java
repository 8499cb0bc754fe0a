package org.dmfilemapd.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.service.ServicePaths;
import org.dmfilemapd.sys.Pidfile;

/**
 * Issue 6's "Measure": the service (one jsvc + JVM for every file) against a process per
 * file ({@code DMFILEMAPD_SERVICE=0}), both started through the real command as dmstats
 * starts it. Files alternate between two dm-linear devices, each with its own group made like
 * {@code dmstats create --filemap}. At each size: a settle time, then one quiet window in
 * which nothing touches any file.
 */
final class ServiceBench {
    private final BenchDevice[] devs;
    private final Path command;
    private final Path logDir;
    private final ServiceConfig cfg;
    private final List<Path> files = new ArrayList<>();
    private final List<Long> groups = new ArrayList<>();
    private Map<String, String> variantEnv = Map.of();

    ServiceBench(BenchDevice a, BenchDevice b, Path command, Path logDir) {
        this.devs = new BenchDevice[] {a, b};
        this.command = command;
        this.logDir = logDir;
        this.cfg = new ServiceConfig();
    }

    Map<String, Object> run() throws Exception {
        return run(Map.of());
    }

    /**
     * One run of the section with {@code variantEnv} added to the commands' environment (a
     * JVM option set: {@code DMFILEMAPD_JAVA_OPTS}, {@code MALLOC_ARENA_MAX}); the files and
     * groups are made once and reused by every variant.
     */
    Map<String, Object> run(Map<String, String> variantEnv) throws Exception {
        if (files.isEmpty()) {
            int max = cfg.serviceSizes.get(cfg.serviceSizes.size() - 1);
            if (!cfg.processSizes.isEmpty()) {
                max = Math.max(max, cfg.processSizes.get(cfg.processSizes.size() - 1));
            }
            makeFiles(max);
        }
        this.variantEnv = variantEnv;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("jvm_options", variantEnv.getOrDefault("DMFILEMAPD_JAVA_OPTS",
                System.getenv().getOrDefault("DMFILEMAPD_JAVA_OPTS", "(scripts/dmfilemapd default_opts)")));
        out.put("malloc_arena_max", variantEnv.getOrDefault("MALLOC_ARENA_MAX", System.getenv("MALLOC_ARENA_MAX")));
        out.put("settle_s", cfg.settleSeconds);
        out.put("idle_window_s", cfg.idleSeconds);
        out.put("service", service());
        if (!cfg.processSizes.isEmpty()) {
            out.put("per_process", perProcess());
        }
        return out;
    }

    /**
     * A variant's label=value: leading NAME=value words go to the environment, the rest (if
     * any and not "default") replaces the command's JVM options.
     */
    static Map<String, String> variantEnv(String value) {
        Map<String, String> env = new LinkedHashMap<>();
        StringBuilder opts = new StringBuilder();
        for (String w : value.trim().split("\\s+")) {
            if (opts.length() == 0 && w.matches("[A-Z_][A-Z0-9_]*=.*")) {
                env.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
            } else if (!w.isEmpty()) {
                opts.append(opts.length() == 0 ? "" : " ").append(w);
            }
        }
        if (opts.length() > 0 && !opts.toString().equals("default")) {
            env.put("DMFILEMAPD_JAVA_OPTS", opts.toString());
        }
        return env;
    }

    /** Small files with a few extents each (a 1 MiB hole between two ranges, like a sparse image). */
    private void makeFiles(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            Path f = devs[i % 2].file("svc" + i + ".img");
            Shell.run("fallocate -l 1M " + f + " && fallocate -o 2M -l 1M " + f);
            files.add(f);
        }
        Shell.run("sync");
        for (Path f : files) {
            groups.add(Groups.create(f));
        }
    }

    private Map<String, Object> service() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Path log = logDir.resolve(devs[0].fs + "-service.log");
        Files.deleteIfExists(log);
        Map<String, String> env = Map.of("DMFILEMAPD_SERVICE_LOG", log.toString());
        List<Double> handovers = new ArrayList<>();
        List<Object> sizes = new ArrayList<>();
        out.put("sizes", sizes);
        int next = 0;
        try {
            for (int n : cfg.serviceSizes) {
                Path hlog = logDir.resolve(devs[0].fs + "-handover.log");
                for (; next < Math.min(n, cfg.timedHandovers + 1); next++) {
                    double ms = handOver(next, env, hlog);
                    if (next == 0) {
                        out.put("first_handover_ms", ms); // this one starts the service (jsvc -wait)
                    } else {
                        handovers.add(ms);
                    }
                    System.err.printf("bench: hand-over %d: %.0f ms%n", next + 1, ms);
                }
                // past the timed ones, hand-overs go in parallel batches: the guest is slow and a
                // command is a JVM start; what follows only needs the files monitored
                while (next < n) {
                    int to = Math.min(n, next + cfg.parallel);
                    handOverBatch(next, to, env, hlog);
                    next = to;
                }
                long pid = servicePid();
                Map<String, Object> m = quiet(List.of(pid));
                m.put("files", n);
                sizes.add(m);
                System.err.printf("bench: service, %d files: %s%n", n, m);
            }
        } finally {
            stopService();
        }
        out.put("handover_trials", handovers.size());
        out.put("handover_median_ms", Stats.median(handovers));
        out.put("handover_p95_ms", Stats.p95(handovers));
        out.put("handover_ms", handovers);
        if (sizes.size() >= 2) {
            Map<?, ?> first = (Map<?, ?>) sizes.get(0);
            Map<?, ?> last = (Map<?, ?>) sizes.get(sizes.size() - 1);
            double dn = ((Number) last.get("files")).doubleValue() - ((Number) first.get("files")).doubleValue();
            out.put("marginal_pss_kb_per_file",
                    (((Number) last.get("pss_kb")).doubleValue() - ((Number) first.get("pss_kb")).doubleValue()) / dn);
            out.put("marginal_rss_kb_per_file",
                    (((Number) last.get("rss_kb")).doubleValue() - ((Number) first.get("rss_kb")).doubleValue()) / dn);
        }
        return out;
    }

    /**
     * A process per file, as many as the guest holds: we stop before a start that would leave
     * less than {@code bench.minFreeMb} of MemAvailable (the last size's footprint tells).
     */
    private Map<String, Object> perProcess() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Object> sizes = new ArrayList<>();
        out.put("sizes", sizes);
        Map<String, String> env = Map.of("DMFILEMAPD_SERVICE", "0");
        List<Long> pids = new ArrayList<>();
        List<Double> starts = new ArrayList<>();
        int next = 0;
        try {
            for (int n : cfg.processSizes) {
                long perFileKb = sizes.isEmpty() ? 0
                        : ((Number) ((Map<?, ?>) sizes.get(sizes.size() - 1)).get("rss_kb")).longValue() / next;
                long need = (n - next) * perFileKb + cfg.minFreeMb * 1024L;
                if (memAvailableKb() < need) {
                    out.put("stopped_before", n);
                    out.put("stop_reason", "MemAvailable " + memAvailableKb() / 1024 + " MiB < " + need / 1024
                            + " MiB needed for " + (n - next) + " more processes and a reserve");
                    break;
                }
                for (; next < n; next++) {
                    starts.add(handOver(next, env, logDir.resolve(devs[0].fs + "-per-process.log")));
                    pids.add(daemonPid(next));
                }
                Map<String, Object> m = quiet(pids);
                m.put("files", n);
                sizes.add(m);
                System.err.printf("bench: per process, %d files: %s%n", n, m);
            }
        } finally {
            for (long pid : pids) {
                stop(pid);
            }
        }
        out.put("start_median_ms", Stats.median(starts));
        return out;
    }

    /** {@code dmfilemapd 3 <group> <file> inode 0 0 3<file} in the background: its run time. */
    private double handOver(int i, Map<String, String> env, Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = command(i, env, log);
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("hand-over of " + files.get(i) + " failed: " + Files.readString(log));
        }
        return Stats.ms(System.nanoTime() - t0);
    }

    /** Hand-overs {@code from} to {@code to - 1}, all at once; each must succeed. */
    private void handOverBatch(int from, int to, Map<String, String> env, Path log) throws IOException,
            InterruptedException {
        List<Process> ps = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ps.add(command(i, env, log).start());
        }
        for (Process p : ps) {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("a hand-over of files " + from + ".." + (to - 1) + " failed: "
                        + Files.readString(log));
            }
        }
        System.err.printf("bench: hand-overs %d..%d done%n", from + 1, to);
    }

    private ProcessBuilder command(int i, Map<String, String> env, Path log) {
        String f = Shell.q(files.get(i).toString());
        String script = "exec " + Shell.q(command.toString()) + " 3 " + groups.get(i) + " " + f + " inode 0 0 3<" + f;
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(variantEnv);
        pb.environment().putAll(env);
        return pb;
    }

    /** Settle, then sum the trees of {@code pids} over one quiet window. */
    private Map<String, Object> quiet(List<Long> pids) throws IOException {
        Pause.ms(cfg.settleSeconds * 1000L);
        List<ProcTree> trees = new ArrayList<>();
        for (long pid : pids) {
            trees.add(new ProcTree(pid));
        }
        ProcTree.Sample a = sum(trees);
        ProcTree.Threads ta = trees.get(0).threads();
        Pause.ms(cfg.idleSeconds * 1000L);
        ProcTree.Threads tb = trees.get(0).threads();
        ProcTree.Sample b = sum(trees);
        double tens = (b.nanos() - a.nanos()) / 10e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pss_kb", b.pssKb());
        m.put("rss_kb", b.rssKb());
        m.put("idle_seconds", (b.nanos() - a.nanos()) / 1e9);
        m.put("idle_cpu_s_per_10s", (b.cpuSeconds() - a.cpuSeconds()) / tens);
        m.put("idle_wakeups_per_10s", (b.voluntary() + b.involuntary() - a.voluntary() - a.involuntary()) / tens);
        m.put("processes", b.processes());
        m.put("threads", b.threads());
        // where the idle cost goes (the first tree: the service, or the first file's process)
        m.put("idle_by_thread", ProcTree.perThread(ta, tb));
        return m;
    }

    private static ProcTree.Sample sum(List<ProcTree> trees) throws IOException {
        long t = 0;
        double cpu = 0;
        long vol = 0;
        long invol = 0;
        long rss = 0;
        long pss = 0;
        int procs = 0;
        int threads = 0;
        for (ProcTree tree : trees) {
            ProcTree.Sample s = tree.sample();
            t = s.nanos();
            cpu += s.cpuSeconds();
            vol += s.voluntary();
            invol += s.involuntary();
            rss += s.rssKb();
            pss += s.pssKb();
            procs += s.processes();
            threads += s.threads();
        }
        return new ProcTree.Sample(t, cpu, vol, invol, rss, pss, procs, threads);
    }

    private static long servicePid() {
        return Pidfile.runningPid(ServicePaths.pidfile())
                .orElseThrow(() -> new IllegalStateException("no service pid in " + ServicePaths.pidfile()));
    }

    private long daemonPid(int i) throws IOException {
        FileStat st = Posix.stat(files.get(i).toString());
        OptionalLong pid = Pidfile.runningPid(Pidfile.of(st.devMajor(), st.devMinor(), groups.get(i)));
        return pid.orElseThrow(() -> new IllegalStateException("no daemon for " + files.get(i)));
    }

    /** SIGTERM to the service (regions kept), and its saved state removed: nothing re-adopts these files. */
    private static void stopService() throws IOException {
        OptionalLong pid = Pidfile.runningPid(ServicePaths.pidfile());
        if (pid.isPresent()) {
            stop(pid.getAsLong());
        }
        Files.deleteIfExists(Pidfile.dir().resolve("state"));
    }

    private static void stop(long pid) {
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
    }

    private static long memAvailableKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return Long.MAX_VALUE;
    }

    /** Settings of this section (scripts/bench sets them from BENCH_SERVICE_* variables). */
    static final class ServiceConfig {
        final List<Integer> serviceSizes = ints("bench.serviceSizes", "1,10,50,100");
        final List<Integer> processSizes = ints("bench.processSizes", "1,10,20");
        final int settleSeconds = Integer.getInteger("bench.serviceSettle", 10);
        final int idleSeconds = Integer.getInteger("bench.serviceIdle", 20);
        final int minFreeMb = Integer.getInteger("bench.minFreeMb", 512);
        /** Hand-overs timed one at a time (with the service running); the rest go in batches. */
        final int timedHandovers = Integer.getInteger("bench.timedHandovers", 15);
        final int parallel = Integer.getInteger("bench.handoverParallel", 4);

        private static List<Integer> ints(String key, String def) {
            List<Integer> l = new ArrayList<>();
            for (String s : System.getProperty(key, def).split(",")) {
                int n = Integer.parseInt(s.trim());
                if (n > 0) { // BENCH_PROCESS_SIZES=0: no per-process part
                    l.add(n);
                }
            }
            return l;
        }
    }
}
