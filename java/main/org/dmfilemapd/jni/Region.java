package org.dmfilemapd.jni;

/** A listed dm-stats region: id, start and length in 512-byte sectors, group id or -1. */
public record Region(long id, long start, long length, long groupId) {
    public boolean grouped() {
        return groupId >= 0;
    }
}
