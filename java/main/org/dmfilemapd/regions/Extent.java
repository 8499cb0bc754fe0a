package org.dmfilemapd.regions;

/** A physically contiguous piece of a file on its device, in 512-byte sectors. */
public record Extent(long start, long length) {
    public long end() {
        return start + length;
    }

    @Override
    public String toString() {
        return start + "+" + length;
    }
}
