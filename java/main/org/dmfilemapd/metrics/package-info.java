/**
 * Per-file IO metrics: what a file's dm-stats counters are, how they stay continuous while
 * its group is remapped, and how they are written out. Uses nothing of the project (JDK
 * only): the monitor and the service call it.
 *
 * <p>{@link org.dmfilemapd.metrics.IoCounters} parses one region's {@code @stats_print}
 * answer (13 counters per area, times in ms or, for precise regions, ns, then the latency
 * histogram's bins) and sums regions. {@link org.dmfilemapd.metrics.FileCounters} is one
 * monitored file's series: the counters of the regions it has lost are carried (the updater
 * reads each region just before it deletes it), a region that vanished without that, or was
 * recreated under the same id, start and length (its counters went down), contributes its
 * last collected counters, so the totals never go down while the file is monitored; the
 * in-progress gauge is never carried. Counters are only ever read, never cleared
 * ({@code @stats_print_clear} would take them from every other reader).
 *
 * <p>{@link org.dmfilemapd.metrics.Exposition} writes the Prometheus text format (what
 * node_exporter's textfile collector, Prometheus, promtool and PCP's pmdaopenmetrics read) or
 * OpenMetrics 1.0, with names modelled on node_exporter's disk metrics;
 * {@link org.dmfilemapd.metrics.DisplayPath} makes any file name (bytes) printable UTF-8,
 * reversibly, for a label; {@link org.dmfilemapd.metrics.TextfileWriter} replaces the
 * textfile atomically.
 */
package org.dmfilemapd.metrics;
