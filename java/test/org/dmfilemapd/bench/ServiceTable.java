package org.dmfilemapd.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The service section as one table per filesystem: a row per number of files, the service's
 * figures next to the same files with a process each, then the derived figures and targets.
 */
final class ServiceTable {
    /** Issue 6: 20 processes of the C original, idle, in the same guest. */
    private static final double ORIGINAL_20_CPU_LOW = 0.6;
    private static final double ORIGINAL_20_CPU_HIGH = 0.75;

    private ServiceTable() {
    }

    static String render(Map<String, Object> results) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> fs : results.entrySet()) {
            Object svc = Table.get(fs.getValue(), "service");
            if (svc != null) {
                one(sb, fs.getKey(), svc);
            }
            if (Table.get(fs.getValue(), "service_variants") instanceof Map<?, ?> vs) {
                for (Map.Entry<?, ?> v : vs.entrySet()) {
                    one(sb, fs.getKey() + ", variant '" + v.getKey() + "': " + Table.get(v.getValue(), "variant"),
                            v.getValue());
                }
            }
        }
        return sb.toString();
    }

    private static void one(StringBuilder sb, String title, Object svc) {
        sb.append("\nservice (").append(title).append("):\n");
        if (Table.get(svc, "error") != null) {
            sb.append("  error: ").append(Table.get(svc, "error")).append('\n');
            return;
        }
        sb.append(table(svc)).append(derived(svc));
    }

    private static String table(Object svc) {
        Object s = Table.get(Table.get(svc, "service"), "sizes");
        Object p = Table.get(Table.get(svc, "per_process"), "sizes");
        TreeSet<Integer> ns = new TreeSet<>();
        for (Object l : List.of(s == null ? List.of() : s, p == null ? List.of() : p)) {
            for (Object m : (List<?>) l) {
                ns.add(((Number) Table.get(m, "files")).intValue());
            }
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"files", "service PSS MiB", "RSS MiB", "idle CPU s/10 s", "wake-ups/10 s", "threads",
            "per-process PSS MiB", "RSS MiB", "idle CPU s/10 s", "wake-ups/10 s", "processes"});
        for (int n : ns) {
            Object a = at(s, n);
            Object b = at(p, n);
            rows.add(new String[] {Integer.toString(n), mib(a, "pss_kb"), mib(a, "rss_kb"),
                Table.format(Table.get(a, "idle_cpu_s_per_10s")), Table.format(Table.get(a, "idle_wakeups_per_10s")),
                Table.format(Table.get(a, "threads")), mib(b, "pss_kb"), mib(b, "rss_kb"),
                Table.format(Table.get(b, "idle_cpu_s_per_10s")), Table.format(Table.get(b, "idle_wakeups_per_10s")),
                Table.format(Table.get(b, "processes"))});
        }
        return Table.layout(rows, 1, rows.get(0).length);
    }

    private static String derived(Object svc) {
        Object s = Table.get(svc, "service");
        Object p = Table.get(svc, "per_process");
        StringBuilder sb = new StringBuilder();
        line(sb, "marginal PSS per file, service (kB)", Table.get(s, "marginal_pss_kb_per_file"), "<= 25");
        line(sb, "marginal RSS per file, service (kB)", Table.get(s, "marginal_rss_kb_per_file"), "");
        Object last = lastSize(Table.get(s, "sizes"));
        line(sb, "service PSS at " + Table.get(last, "files") + " files (MiB)", mibValue(last), "<= ~22 (23 MB)");
        Object at20 = interpolatedCpu(Table.get(s, "sizes"), 20);
        line(sb, "service idle CPU at 20 files (s/10 s, interpolated)", at20,
                String.format(Locale.ROOT, "<= %.3f-%.3f (0.1x of 20 originals: %.2f-%.2f)", ORIGINAL_20_CPU_LOW / 10,
                        ORIGINAL_20_CPU_HIGH / 10, ORIGINAL_20_CPU_LOW, ORIGINAL_20_CPU_HIGH));
        line(sb, "hand-over median (ms), service running", Table.get(s, "handover_median_ms"),
                "over " + Table.get(s, "handover_trials") + " hand-overs");
        line(sb, "hand-over p95 (ms)", Table.get(s, "handover_p95_ms"), "");
        line(sb, "first hand-over, starts the service (ms)", Table.get(s, "first_handover_ms"), "");
        line(sb, "per-process start median (ms)", Table.get(p, "start_median_ms"), "");
        if (Table.get(p, "stop_reason") != null) {
            sb.append("  per process stopped before ").append(Table.get(p, "stopped_before")).append(" files: ")
                    .append(Table.get(p, "stop_reason")).append('\n');
        }
        sb.append("  JVM options: ").append(Table.get(svc, "jvm_options"));
        if (Table.get(svc, "malloc_arena_max") != null) {
            sb.append(", MALLOC_ARENA_MAX=").append(Table.get(svc, "malloc_arena_max"));
        }
        sb.append('\n');
        return sb.toString();
    }

    /** Between the two measured sizes around {@code n} (linear), or the nearest one. */
    private static Object interpolatedCpu(Object sizes, int n) {
        if (!(sizes instanceof List<?> l) || l.isEmpty()) {
            return null;
        }
        Object lo = null;
        Object hi = null;
        for (Object m : l) {
            int f = ((Number) Table.get(m, "files")).intValue();
            if (f <= n) {
                lo = m;
            }
            if (f >= n && hi == null) {
                hi = m;
            }
        }
        if (lo == null || hi == null) {
            return Table.get(lo == null ? hi : lo, "idle_cpu_s_per_10s");
        }
        double fl = ((Number) Table.get(lo, "files")).doubleValue();
        double fh = ((Number) Table.get(hi, "files")).doubleValue();
        double cl = ((Number) Table.get(lo, "idle_cpu_s_per_10s")).doubleValue();
        double ch = ((Number) Table.get(hi, "idle_cpu_s_per_10s")).doubleValue();
        return fh == fl ? cl : cl + (ch - cl) * (n - fl) / (fh - fl);
    }

    private static void line(StringBuilder sb, String label, Object v, String target) {
        sb.append("  ").append(label).append(": ").append(Table.format(v));
        if (!target.isEmpty()) {
            sb.append("   (").append(target).append(')');
        }
        sb.append('\n');
    }

    private static Object at(Object sizes, int n) {
        if (sizes instanceof List<?> l) {
            for (Object m : l) {
                if (((Number) Table.get(m, "files")).intValue() == n) {
                    return m;
                }
            }
        }
        return null;
    }

    private static Object lastSize(Object sizes) {
        return sizes instanceof List<?> l && !l.isEmpty() ? l.get(l.size() - 1) : null;
    }

    private static Object mibValue(Object m) {
        Object v = Table.get(m, "pss_kb");
        return v instanceof Number n ? n.doubleValue() / 1024 : null;
    }

    private static String mib(Object m, String key) {
        Object v = Table.get(m, key);
        return v instanceof Number n ? Table.format(n.doubleValue() / 1024) : "-";
    }
}
