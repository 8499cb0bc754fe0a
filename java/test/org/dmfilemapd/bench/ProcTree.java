package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The daemon's whole process tree (jsvc's controller and the JVM under it) read from /proc:
 * CPU time, context switches of every thread (each is a wake-up or a preemption), RSS, PSS.
 */
final class ProcTree {
    /** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    private static final double HZ = 100.0;

    record Sample(long nanos, double cpuSeconds, long voluntary, long involuntary, long rssKb, long pssKb,
            int processes, int threads) {
    }

    /** Per thread name (comm; threads of one name summed): CPU ticks and context switches so far. */
    record Threads(long nanos, Map<String, long[]> byName) {
    }

    /** Every thread of the tree by name: { CPU ticks (utime + stime), context switches }. */
    Threads threads() throws IOException {
        Map<String, long[]> m = new TreeMap<>();
        long t = System.nanoTime();
        for (long pid : pids) {
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long switches = 0;
                        for (String line : Files.readAllLines(task.resolve("status"))) {
                            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                                switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            }
                        }
                        long[] v = m.computeIfAbsent(name, k -> new long[2]);
                        v[0] += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        v[1] += switches;
                    } catch (IOException e) {
                        // the thread ended while we looked
                    }
                }
            }
        }
        return new Threads(t, m);
    }

    /**
     * What each thread name cost between {@code a} and {@code b}: CPU ms and wake-ups (context
     * switches) per 10 s, the names that did anything, costliest first.
     */
    static Map<String, Map<String, Double>> perThread(Threads a, Threads b) {
        double tens = (b.nanos() - a.nanos()) / 10e9;
        List<Map.Entry<String, long[]>> d = new ArrayList<>();
        b.byName().forEach((name, v) -> {
            long[] before = a.byName().getOrDefault(name, new long[2]);
            long[] diff = { v[0] - before[0], v[1] - before[1] };
            if (diff[0] > 0 || diff[1] > 0) {
                d.add(Map.entry(name, diff));
            }
        });
        d.sort((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]));
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : d) {
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("cpu_ms_per_10s", e.getValue()[0] * 1000 / HZ / tens);
            v.put("wakeups_per_10s", e.getValue()[1] / tens);
            out.put(e.getKey(), v);
        }
        return out;
    }

    private final List<Long> pids;

    /** The tree rooted at {@code daemonPid}'s parent if that is jsvc's controller, else at the daemon. */
    ProcTree(long daemonPid) throws IOException {
        long root = daemonPid;
        long parent = ppid(daemonPid);
        if (parent > 1 && isJsvc(parent)) {
            root = parent;
        }
        pids = new ArrayList<>();
        collect(root, pids);
    }

    /**
     * jsvc re-executes itself with {@code -procname} as argv[0] ("dmfilemapd"), so its
     * command line need not name it: the executable does.
     */
    private static boolean isJsvc(long pid) throws IOException {
        try {
            if (Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString().contains("jsvc")) {
                return true;
            }
        } catch (IOException e) {
            // not ours to read: fall back to the command line
        }
        return Files.readString(Path.of("/proc/" + pid + "/cmdline")).contains("jsvc");
    }

    List<Long> pids() {
        return pids;
    }

    Sample sample() throws IOException {
        long t = System.nanoTime();
        double cpu = 0;
        long vol = 0;
        long invol = 0;
        long rss = 0;
        long pss = 0;
        int threads = 0;
        for (long pid : pids) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime, stime: fields 14, 15 of stat (index 11, 12 after the command name)
            cpu += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / HZ;
            rss += statusKb(Path.of("/proc/" + pid + "/status"), "VmRSS:");
            pss += statusKb(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:");
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks) {
                    try {
                        for (String line : Files.readAllLines(task.resolve("status"))) {
                            if (line.startsWith("voluntary_ctxt_switches:")) {
                                vol += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                                invol += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            }
                        }
                        threads++;
                    } catch (IOException e) {
                        // the thread ended while we looked
                    }
                }
            }
        }
        return new Sample(t, cpu, vol, invol, rss, pss, pids.size(), threads);
    }

    private static long statusKb(Path p, String key) throws IOException {
        for (String line : Files.readAllLines(p)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    static long ppid(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    private static void collect(long pid, List<Long> out) throws IOException {
        out.add(pid);
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                long child = Long.parseLong(p.getFileName().toString());
                try {
                    if (ppid(child) == pid) {
                        collect(child, out);
                    }
                } catch (IOException | RuntimeException e) {
                    // gone
                }
            }
        }
    }
}
