package org.dmfilemapd.service;

import org.dmfilemapd.domain.Mode;

/**
 * What a restarted service needs to take a file back: where it is now, how it is followed,
 * which inode on which device it was, its group and the verbosity it was handed over with.
 */
record AdoptedFile(String path, Mode mode, int devMajor, int devMinor, long ino, long groupId, int verbose) {
    String device() {
        return devMajor + ":" + devMinor;
    }
}
