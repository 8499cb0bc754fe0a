package org.dmfilemapd.metrics;

/**
 * What the exposition says about one monitored file: who it is (the labels), its IO totals
 * (continuous across remaps), the histogram bounds of its group (ns, empty without a
 * histogram) and how its monitor is doing.
 *
 * @param path the file's name as bytes
 * @param deviceName the device-mapper name of its device
 */
public record FileSample(byte[] path, String deviceName, int major, int minor, long groupId, String mode,
        IoCounters totals, long[] histogramBoundsNs, long seriesStartEpochMillis, int regions, long updates,
        long updateFailures, long lastUpdateEpochMillis, long carries) {
}
