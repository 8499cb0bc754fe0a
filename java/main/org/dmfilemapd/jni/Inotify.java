package org.dmfilemapd.jni;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One inotify instance and a wake-up eventfd. {@link #await} blocks until events arrive, the
 * timeout passes, or another thread calls {@link #wake}. One instance serves a monitor for its
 * whole life: watches are added and removed, the instance is never re-created.
 */
public final class Inotify implements AutoCloseable {
    public static final int IN_MODIFY = 0x2;
    public static final int IN_ATTRIB = 0x4;
    public static final int IN_CLOSE_WRITE = 0x8;
    public static final int IN_MOVE_SELF = 0x800;
    public static final int IN_DELETE_SELF = 0x400;
    public static final int IN_IGNORED = 0x8000;
    public static final int IN_Q_OVERFLOW = 0x4000;

    @java.lang.annotation.Native static final int WOKEN = Integer.MIN_VALUE;

    static {
        NativeLibrary.load();
    }

    private final long handle;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final int[] buffer = new int[2 * 256];

    public Inotify() throws NativeIoException {
        handle = open0();
    }

    /** What {@link #await} saw. */
    public record Events(boolean woken, int[] wds, int[] masks) {
        static final Events TIMEOUT = new Events(false, new int[0], new int[0]);
        static final Events WAKE = new Events(true, new int[0], new int[0]);

        public boolean timedOut() {
            return !woken && masks.length == 0;
        }

        /** The union of all masks for watch {@code wd}. */
        public int maskFor(int wd) {
            int m = 0;
            for (int i = 0; i < wds.length; i++) {
                if (wds[i] == wd || masks[i] == IN_Q_OVERFLOW) {
                    m |= masks[i];
                }
            }
            return m;
        }
    }

    public int addWatch(String path, int mask) throws NativeIoException {
        return NativeIoException.check("inotify_add_watch(" + path + ")", addWatch0(live(), path, mask));
    }

    public void removeWatch(int wd) throws NativeIoException {
        NativeIoException.check("inotify_rm_watch", removeWatch0(live(), wd));
    }

    /** Waits up to {@code timeoutMillis} (-1: no limit). Only one thread may wait at a time. */
    public Events await(int timeoutMillis) throws NativeIoException {
        int n = wait0(live(), timeoutMillis, buffer);
        if (n == WOKEN) {
            return Events.WAKE;
        }
        NativeIoException.check("read(inotify)", n);
        if (n == 0) {
            return Events.TIMEOUT;
        }
        int[] wds = new int[n];
        int[] masks = new int[n];
        for (int i = 0; i < n; i++) {
            wds[i] = buffer[2 * i];
            masks[i] = buffer[2 * i + 1];
        }
        return new Events(false, wds, masks);
    }

    /** Makes the current or next {@link #await} return at once. Safe from any thread. */
    public synchronized void wake() {
        if (open.get()) {
            wake0(handle);
        }
    }

    /** Only after the thread that waits has stopped waiting. Idempotent. */
    @Override
    public synchronized void close() {
        if (open.compareAndSet(true, false)) {
            close0(handle);
        }
    }

    private long live() {
        if (!open.get()) {
            throw new IllegalStateException("inotify instance is closed");
        }
        return handle;
    }

    private static native long open0() throws NativeIoException;

    private static native void close0(long handle);

    private static native int addWatch0(long handle, String path, int mask);

    private static native int removeWatch0(long handle, int wd);

    private static native int wake0(long handle);

    private static native int wait0(long handle, int timeoutMillis, int[] out);
}
