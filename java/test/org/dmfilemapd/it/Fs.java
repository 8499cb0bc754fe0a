package org.dmfilemapd.it;

/** Filesystems the filemap feature supports (FIEMAP with physical extents). */
enum Fs {
    XFS("mkfs.xfs -q -f", "xfs_fsr"),
    EXT4("mkfs.ext4 -q -F", "e4defrag");

    final String mkfs;
    /** Defragments one file in place (extents move, the block count does not change). */
    final String defrag;

    Fs(String mkfs, String defrag) {
        this.mkfs = mkfs;
        this.defrag = defrag;
    }
}
