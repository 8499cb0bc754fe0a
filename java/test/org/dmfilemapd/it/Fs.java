package org.dmfilemapd.it;

/** Filesystems the filemap feature supports (FIEMAP with physical extents). */
enum Fs {
    XFS("mkfs.xfs -q -f"),
    EXT4("mkfs.ext4 -q -F");

    final String mkfs;

    Fs(String mkfs) {
        this.mkfs = mkfs;
    }
}
