package org.dmfilemapd.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.service.MonitorHost;

/**
 * Measures one MonitorHost in this JVM (scripts/bench's loop section, in the dm guest): for each
 * count of monitored files, once all of them watch, PSS and RSS (smaps_rollup), the live heap
 * after a full GC, threads, inotify instances, then CPU time and context switches (wake-ups)
 * of the whole process over an idle window.
 * Arguments: DIR IDLE_SECONDS COUNT... (DIR holds files f1..fN on a dm device).
 */
public final class LoopFootprint {
    public static void main(String[] a) throws Exception {
        org.dmfilemapd.log.Logging.configure(0); // warnings and errors only, as the daemon by default
        Path dir = Path.of(a[0]);
        int idle = Integer.parseInt(a[1]);
        MonitorHost host = new MonitorHost();
        List<FileMonitor> ms = new ArrayList<>();
        System.out.println("| files | PSS kB | RSS kB | live heap kB | host threads | JVM threads | inotify fds | idle CPU ms/" + idle
                + " s | wake-ups/s |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int k = 2; k < a.length; k++) {
            int n = Integer.parseInt(a[k]);
            while (ms.size() < n) {
                Path f = dir.resolve("f" + (ms.size() + 1));
                long g = createGroup(f);
                int fd = Posix.openReadOnly(f.toString());
                FileMonitor m = FileMonitor.open(Arguments.parse(Integer.toString(fd), Long.toString(g), f.toString(),
                        ms.size() % 2 == 0 ? "inode" : "path", "0", "0"));
                host.start(m, r -> System.err.println("ended: " + r));
                ms.add(m);
            }
            while (!ms.stream().allMatch(m -> m.status().regionCount() > 0)) {
                Thread.sleep(20);
            }
            Thread.sleep(2000); // let start-up work (class loading, JIT) settle
            System.gc();
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long[] mem = rollup();
            long hostThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith(MonitorHost.THREAD_PREFIX)).count();
            int jvmThreads;
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                jvmThreads = (int) tasks.count();
            }
            long cpu0 = cpuTicks();
            long cs0 = contextSwitches();
            long t0 = System.nanoTime();
            Thread.sleep(idle * 1000L);
            long cpu1 = cpuTicks();
            long cs1 = contextSwitches();
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("| %d | %d | %d | %d | %d | %d | %d | %d | %.1f |%n", n, mem[0], mem[1], heap / 1024,
                    hostThreads, jvmThreads, inotify(), (cpu1 - cpu0) * 10, (cs1 - cs0) / secs);
        }
        host.stopAll(10_000);
    }

    private static long createGroup(Path f) throws Exception {
        FileStat st = Posix.stat(f.toString());
        int fd = Posix.openReadOnly(f.toString());
        try (DmStats stats = new DmStats("dmstats")) {
            stats.bindDevno(st.devMajor(), st.devMinor());
            return stats.createRegionsFromFd(fd, true, false, null, f.getFileName().toString())[0];
        } finally {
            Posix.close(fd);
        }
    }

    /** Pss and Rss of this process in kB. */
    private static long[] rollup() throws Exception {
        long pss = 0;
        long rss = 0;
        for (String l : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            String[] w = l.trim().split("\\s+");
            if (w[0].equals("Pss:")) {
                pss = Long.parseLong(w[1]);
            } else if (w[0].equals("Rss:")) {
                rss = Long.parseLong(w[1]);
            }
        }
        return new long[] {pss, rss};
    }

    /** utime + stime of the whole process, in clock ticks (10 ms). */
    private static long cpuTicks() throws Exception {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] w = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(w[11]) + Long.parseLong(w[12]);
    }

    /** Context switches of every thread: each is a wake-up of some thread of this JVM. */
    private static long contextSwitches() throws Exception {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    for (String l : Files.readAllLines(t.resolve("status"))) {
                        if (l.startsWith("voluntary_ctxt_switches:") || l.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException e) {
                    // the thread ended
                }
            }
        }
        return sum;
    }

    private static long inotify() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().equals("anon_inode:inotify");
                } catch (java.io.IOException e) {
                    return false;
                }
            }).count();
        }
    }
}
