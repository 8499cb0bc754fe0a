package org.dmfilemapd.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report as one plain-text table: a row per figure, a column per filesystem. */
final class Table {
    private Table() {
    }

    static String render(Map<String, Object> results) {
        List<String> fss = new ArrayList<>(results.keySet());
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("figure"));
        head.addAll(fss);
        head.add("target / original");
        rows.add(head.toArray(String[]::new));
        row(rows, fss, results, "update latency median (ms)", "daemon.latency_median_ms", "<= 50 / 335-357");
        row(rows, fss, results, "update latency p95 (ms)", "daemon.latency_p95_ms", "<= 100 / -");
        row(rows, fss, results, "update latency max (ms)", "daemon.latency_max_ms", "");
        row(rows, fss, results, "latency trials", "daemon.latency_trials", ">= 20");
        row(rows, fss, results, "idle CPU (s per 10 s)", "daemon.idle_cpu_s_per_10s", "<= 0.03-0.04");
        row(rows, fss, results, "idle CPU (s per min)", "daemon.idle_cpu_s_per_min", "");
        row(rows, fss, results, "idle wake-ups (ctx switches per min)", "daemon.idle_wakeups_per_min", "");
        row(rows, fss, results, "RSS of the tree (MiB)", "daemon.rss_kb/1024", "~1.7 (original)");
        row(rows, fss, results, "PSS of the tree (MiB)", "daemon.pss_kb/1024", "");
        row(rows, fss, results, "processes / threads", "daemon.processes", "");
        row(rows, fss, results, "background start (ms)", "daemon.start_ms", "");
        Object any = results.isEmpty() ? null : results.values().iterator().next();
        Object scaling = any == null ? null : get(any, "scaling");
        if (scaling instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                Object n = get(l.get(i), "target_extents");
                String p = "scaling." + i + ".";
                row(rows, fss, results, n + " extents: actual extents", p + "extents", "");
                row(rows, fss, results, n + " extents: FIEMAP (ms)", p + "fiemap_ms", "");
                row(rows, fss, results, n + " extents: update excl. FIEMAP (ms)", p + "update_excl_fiemap_ms",
                        i == 0 ? "" : "<= 2x the 10-extent figure");
                row(rows, fss, results, n + " extents:   compare (ms)", p + "compare_ms", "");
                row(rows, fss, results, n + " extents:   apply (ms)", p + "apply_ms", "");
                row(rows, fss, results, n + " extents:   trials in place", p + "in_place", "");
                row(rows, fss, results, n + " extents: one listing (ms, each check)", p + "list_only_ms", "");
                row(rows, fss, results, n + " extents: group creation (s)", p + "create_group_s", "");
            }
        }
        row(rows, fss, results, "sustained: updates per s", "sustained.updates_per_s", "<= 2");
        row(rows, fss, results, "sustained: MiB written", "sustained.mb_written", "");
        row(rows, fss, results, "sustained: lag after stop (ms)", "sustained.lag_after_stop_ms", "<= 600");
        return layout(rows, 1, fss.size() + 1);
    }

    /** A Markdown table; columns {@code from} to {@code to - 1} hold numbers (right-aligned). */
    static String layout(List<String[]> rows, int from, int to) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            sb.append("|");
            for (int i = 0; i < r.length; i++) {
                sb.append(' ').append(pad(r[i], w[i], i >= from && i < to)).append(" |");
            }
            sb.append('\n');
            if (k == 0) {
                sb.append("|");
                for (int i = 0; i < r.length; i++) {
                    sb.append(' ').append("-".repeat(w[i])).append(" |");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** One row per filesystem and JVM option set. */
    static String variants(Map<String, Object> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"fs", "JVM options", "RSS MiB", "PSS MiB", "idle CPU s/10 s", "wake-ups/min",
            "threads", "start ms", "latency median ms", "p95 ms"});
        for (Map.Entry<String, Object> fs : results.entrySet()) {
            Object vs = get(fs.getValue(), "jvm_variants");
            if (!(vs instanceof Map<?, ?> m)) {
                continue;
            }
            for (Map.Entry<?, ?> v : m.entrySet()) {
                Object x = v.getValue();
                rows.add(new String[] {fs.getKey(), v.getKey().toString(), format(lookup(x, "rss_kb/1024")),
                    format(lookup(x, "pss_kb/1024")), format(get(x, "idle_cpu_s_per_10s")),
                    format(get(x, "idle_wakeups_per_min")), format(get(x, "threads")), format(get(x, "start_ms")),
                    format(get(x, "latency_median_ms")), format(get(x, "latency_p95_ms"))});
            }
        }
        return layout(rows, 2, rows.get(0).length) + legend(results);
    }

    private static String legend(Map<String, Object> results) {
        StringBuilder sb = new StringBuilder();
        for (Object fs : results.values()) {
            if (get(fs, "jvm_variants") instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> v : m.entrySet()) {
                    sb.append("  ").append(v.getKey()).append(": ").append(get(v.getValue(), "options")).append('\n');
                }
                break;
            }
        }
        return sb.toString();
    }

    private static void row(List<String[]> rows, List<String> fss, Map<String, Object> results, String label,
            String path, String target) {
        String[] r = new String[fss.size() + 2];
        r[0] = label;
        boolean any = false;
        for (int i = 0; i < fss.size(); i++) {
            Object v = lookup(results.get(fss.get(i)), path);
            r[i + 1] = format(v);
            any |= v != null;
        }
        r[r.length - 1] = target;
        if (any) {
            rows.add(r);
        }
    }

    /** {@code a.b.0.c}, with an optional {@code /divisor} at the end. */
    private static Object lookup(Object root, String path) {
        double div = 1;
        int slash = path.indexOf('/');
        if (slash > 0) {
            div = Double.parseDouble(path.substring(slash + 1));
            path = path.substring(0, slash);
        }
        Object v = root;
        for (String k : path.split("\\.")) {
            v = get(v, k);
        }
        if (v instanceof Number n && div != 1) {
            return n.doubleValue() / div;
        }
        return v;
    }

    static Object get(Object v, String k) {
        if (v instanceof Map<?, ?> m) {
            return m.get(k);
        }
        if (v instanceof List<?> l && k.matches("\\d+")) {
            int i = Integer.parseInt(k);
            return i < l.size() ? l.get(i) : null;
        }
        return null;
    }

    static String format(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof Double d) {
            double a = Math.abs(d);
            return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", d);
        }
        return v.toString();
    }

    private static String pad(String s, int w, boolean right) {
        String sp = " ".repeat(w - s.length());
        return right ? sp + s : s + sp;
    }
}
