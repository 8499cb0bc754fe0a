package org.dmfilemapd.detect;

import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;

/**
 * Opens a monitored path for reading without ever opening anything but a regular file on the
 * monitored device: the path is resolved with {@code O_PATH} (which opens nothing, so a FIFO
 * or a device node cannot block the caller or see an open), that object is checked, and only
 * then is that very object (not the path again) opened, non-blocking.
 *
 * <p>Symlinks are followed, as the original's {@code open(path, O_RDONLY)} does: a path that is
 * a symlink to the monitored file is legitimate, and what it resolves to is checked all the same.
 */
public final class RegularFileOpen {
    /** An open read-only fd and what it is. */
    public record Opened(int fd, FileStat stat) {
    }

    /** The path names something that must not be opened; the message says what and why. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    private RegularFileOpen() {
    }

    /**
     * @throws NativeIoException when nothing can be resolved at the path (errno says why)
     * @throws RefusedException when the path names no regular file on {@code device}, or the
     *         file cannot be opened for reading
     */
    public static Opened open(String path, int devMajor, int devMinor) throws NativeIoException, RefusedException {
        int pathFd = Posix.openPath(path);
        try {
            FileStat st = Posix.fstat(pathFd);
            if (!st.isRegularFile()) {
                throw new RefusedException("is not a regular file (" + type(st.mode()) + ")");
            }
            if (st.devMajor() != devMajor || st.devMinor() != devMinor) {
                // regions are offsets on the original device: mapping another device's file is wrong
                throw new RefusedException("is on device " + st.device() + ", not on the monitored device "
                        + devMajor + ":" + devMinor);
            }
            int fd;
            try {
                fd = Posix.reopenReadOnly(pathFd);
            } catch (NativeIoException e) {
                throw new RefusedException("cannot be opened for reading: " + e.getMessage());
            }
            return new Opened(fd, st);
        } finally {
            closeQuietly(pathFd);
        }
    }

    static String type(int mode) {
        switch (mode & 0170000) {
            case 0040000:
                return "a directory";
            case 0010000:
                return "a FIFO";
            case 0020000:
                return "a character device";
            case 0060000:
                return "a block device";
            case 0140000:
                return "a socket";
            case 0120000:
                return "a symbolic link";
            default:
                return "mode " + Integer.toOctalString(mode);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (NativeIoException e) {
            // an O_PATH fd: nothing to flush, nothing lost
        }
    }
}
