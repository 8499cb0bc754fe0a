package org.dmfilemapd.jni;

/** The fields of {@code struct stat} the monitor uses. */
public record FileStat(int devMajor, int devMinor, long ino, int mode, long nlink, long size, long blocks) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /** Same inode on the same device. */
    public boolean sameFile(FileStat other) {
        return other != null && ino == other.ino && devMajor == other.devMajor && devMinor == other.devMinor;
    }

    public boolean sameDevice(FileStat other) {
        return other != null && devMajor == other.devMajor && devMinor == other.devMinor;
    }

    public String device() {
        return devMajor + ":" + devMinor;
    }
}
