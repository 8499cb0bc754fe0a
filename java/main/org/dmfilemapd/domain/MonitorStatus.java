package org.dmfilemapd.domain;


/**
 * What one monitor is doing, for {@code dmfilemapd status}: the file, how it is followed,
 * the group, and how the updates went. {@code lastUpdateEpochMillis} is 0 until the first
 * update that changed regions; {@code lastError} is null while there was none. The bytes read
 * and written are the file's IO counters (continuous across updates) as last collected, -1
 * before the first collection.
 */
public record MonitorStatus(String path, Mode mode, int devMajor, int devMinor, long ino, long groupId,
        int regionCount, long lastUpdateEpochMillis, long updates, String lastError, long readBytes,
        long writtenBytes) {

    /** Without IO counters (not collected yet): -1 bytes read and written. */
    public MonitorStatus(String path, Mode mode, int devMajor, int devMinor, long ino, long groupId, int regionCount,
            long lastUpdateEpochMillis, long updates, String lastError) {
        this(path, mode, devMajor, devMinor, ino, groupId, regionCount, lastUpdateEpochMillis, updates, lastError, -1,
                -1);
    }

    /** The same status under another path (where an inode-mode file is now). */
    public MonitorStatus withPath(String now) {
        return new MonitorStatus(now, mode, devMajor, devMinor, ino, groupId, regionCount, lastUpdateEpochMillis,
                updates, lastError, readBytes, writtenBytes);
    }

    public String device() {
        return devMajor + ":" + devMinor;
    }
}
