package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
