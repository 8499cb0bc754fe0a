package org.dmfilemapd.domain;


/**
 * What one monitor is doing, for {@code dmfilemapd status}: the file, how it is followed,
 * the group, and how the updates went. {@code lastUpdateEpochMillis} is 0 until the first
 * update that changed regions; {@code lastError} is null while there was none.
 */
public record MonitorStatus(String path, Mode mode, int devMajor, int devMinor, long ino, long groupId,
        int regionCount, long lastUpdateEpochMillis, long updates, String lastError) {

    public String device() {
        return devMajor + ":" + devMinor;
    }
}
