package org.dmfilemapd.jni;

/** fstat/stat, open/close, readlink and FIEMAP on plain fd numbers. */
public final class Posix {
    @java.lang.annotation.Native static final int STAT_FIELDS = 7;
    @java.lang.annotation.Native static final int ST_DEV_MAJOR = 0;
    @java.lang.annotation.Native static final int ST_DEV_MINOR = 1;
    @java.lang.annotation.Native static final int ST_INO = 2;
    @java.lang.annotation.Native static final int ST_MODE = 3;
    @java.lang.annotation.Native static final int ST_NLINK = 4;
    @java.lang.annotation.Native static final int ST_SIZE = 5;
    @java.lang.annotation.Native static final int ST_BLOCKS = 6;

    public static final int ENOENT = 2;
    public static final int EBADF = 9;

    /** FIEMAP extent flags (linux/fiemap.h). */
    public static final int FIEMAP_EXTENT_LAST = 0x1;
    public static final int FIEMAP_EXTENT_UNKNOWN = 0x2;
    public static final int FIEMAP_EXTENT_DELALLOC = 0x4;
    public static final int FIEMAP_EXTENT_UNWRITTEN = 0x800;

    static {
        NativeLibrary.load();
    }

    private Posix() {
    }

    public static FileStat fstat(int fd) throws NativeIoException {
        long[] v = new long[STAT_FIELDS];
        NativeIoException.check("fstat(" + fd + ")", fstat0(fd, v));
        return toStat(v);
    }

    public static FileStat stat(String path) throws NativeIoException {
        long[] v = new long[STAT_FIELDS];
        NativeIoException.check("stat(" + path + ")", stat0(path, v));
        return toStat(v);
    }

    /** {@code open(path, O_RDONLY | O_CLOEXEC)}. */
    public static int openReadOnly(String path) throws NativeIoException {
        return NativeIoException.check("open(" + path + ")", openReadOnly0(path));
    }

    /**
     * {@code open(path, O_PATH | O_CLOEXEC)}: a handle on what the path names (symlinks
     * followed) that opens nothing, so it cannot block; only fstat and {@link #reopenReadOnly}.
     */
    public static int openPath(String path) throws NativeIoException {
        return NativeIoException.check("open(" + path + ")", openPath0(path));
    }

    /** Opens the object an {@link #openPath} fd names, read-only and non-blocking. */
    public static int reopenReadOnly(int pathFd) throws NativeIoException {
        return NativeIoException.check("open(/proc/self/fd/" + pathFd + ")", reopenReadOnly0(pathFd));
    }

    public static void close(int fd) throws NativeIoException {
        NativeIoException.check("close(" + fd + ")", close0(fd));
    }

    /** True when {@code fd} is an open descriptor of this process. */
    public static boolean isOpen(int fd) {
        return fd >= 0 && fdFlags0(fd) >= 0;
    }

    public static String readlink(String path) throws NativeIoException {
        return readlink0(path);
    }

    /**
     * The file's extents as FIEMAP reports them: rows of (logical, physical, length, flags) in
     * bytes. {@code sync} writes dirty data back first, so delayed allocations get addresses.
     */
    public static long[] fiemap(int fd, boolean sync) throws NativeIoException {
        return fiemap0(fd, sync);
    }

    /** Points fds 1 and 2 at {@code /dev/null} (a daemon that was told to be quiet). */
    public static void stdoutAndStderrToDevNull() {
        System.out.flush();
        System.err.flush();
        nullStdio0();
    }

    /** Stops this whole process (SIGSTOP) until someone sends SIGCONT. */
    public static void stopSelf() throws NativeIoException {
        NativeIoException.check("raise(SIGSTOP)", stopSelf0());
    }

    /**
     * {@code madvise(addr, len, MADV_PAGEOUT)}: asks the kernel to reclaim the range's pages
     * now; clean file pages no other process maps are dropped and come back from the file on
     * the next touch. Returns 0 or -errno (EINVAL before Linux 5.4).
     */
    public static int pageOut(long addr, long len) {
        return pageOut0(addr, len);
    }

    /**
     * Opens {@code path} to append to it, created 0640 if missing: never through a symlink
     * (ELOOP), and only a regular file (EINVAL). For a log root writes in a shared directory.
     */
    public static int openLog(String path) throws NativeIoException {
        return NativeIoException.check("open(" + path + ")", openLog0(path));
    }

    static String strerror(int errno) {
        return strerror0(errno);
    }

    private static FileStat toStat(long[] v) {
        return new FileStat((int) v[ST_DEV_MAJOR], (int) v[ST_DEV_MINOR], v[ST_INO], (int) v[ST_MODE],
                v[ST_NLINK], v[ST_SIZE], v[ST_BLOCKS]);
    }

    private static native int fstat0(int fd, long[] out);

    private static native int stat0(String path, long[] out);

    private static native int openReadOnly0(String path);

    private static native int openPath0(String path);

    private static native int reopenReadOnly0(int pathFd);

    private static native int close0(int fd);

    private static native int fdFlags0(int fd);

    private static native String readlink0(String path) throws NativeIoException;

    private static native long[] fiemap0(int fd, boolean sync) throws NativeIoException;

    private static native String strerror0(int errno);

    private static native int nullStdio0();

    private static native int stopSelf0();

    private static native int pageOut0(long addr, long len);

    private static native int openLog0(String path);
}
