package org.dmfilemapd.jni;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@code AF_UNIX SOCK_SEQPACKET} socket: each {@link #send} is one message on the other
 * side (boundaries kept, bounded to {@value #MAX_MESSAGE} bytes), optionally carrying one open
 * file descriptor ({@code SCM_RIGHTS}); {@link #peerCredentials} is the kernel's word on who
 * connected ({@code SO_PEERCRED}). {@link #close} is idempotent.
 */
public final class UnixSocket implements AutoCloseable {
    /** The longest message either side sends or accepts. */
    @java.lang.annotation.Native public static final int MAX_MESSAGE = 8192;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int EBADMSG = 74;
    public static final int EMSGSIZE = 90;
    public static final int ECONNREFUSED = 111;

    static {
        NativeLibrary.load();
    }

    private final int fd;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private UnixSocket(int fd) {
        this.fd = fd;
    }

    /** Who is at the other end: the kernel's record from connect (or socketpair) time. */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    /** One received message and the fd that came with it (-1 if none; the receiver owns it). */
    public record Message(byte[] data, int fd) {
    }

    /**
     * Listens on {@code path}, created with mode 0600. Refused ({@code EPERM}) when the
     * directory is not ours or is writable by others, or when something other than a socket
     * of ours is at the path; a stale socket of ours is replaced.
     */
    public static UnixSocket listen(String path, int backlog) throws NativeIoException {
        return new UnixSocket(NativeIoException.check("listen(" + path + ")", listen0(path, backlog)));
    }

    public static UnixSocket connect(String path) throws NativeIoException {
        return new UnixSocket(NativeIoException.check("connect(" + path + ")", connect0(path)));
    }

    /** Two connected sockets (for tests and in-process use). */
    public static UnixSocket[] pair() throws NativeIoException {
        int[] sv = new int[2];
        NativeIoException.check("socketpair", socketPair0(sv));
        return new UnixSocket[] {new UnixSocket(sv[0]), new UnixSocket(sv[1])};
    }

    public int fd() {
        return fd;
    }

    /** Blocks for the next connection; after {@link #shutdown} throws with {@code EINVAL}. */
    public UnixSocket accept() throws NativeIoException {
        return new UnixSocket(NativeIoException.check("accept", accept0(live())));
    }

    /** Wakes a thread blocked in {@link #accept} or {@link #receive} (any thread). */
    public void shutdown() {
        if (open.get()) {
            shutdown0(fd);
        }
    }

    public PeerCredentials peerCredentials() throws NativeIoException {
        int[] v = new int[3];
        NativeIoException.check("getsockopt(SO_PEERCRED)", peerCredentials0(live(), v));
        return new PeerCredentials(v[0], v[1], v[2]);
    }

    /** Sends {@code data} as one message, with {@code passFd} attached unless it is negative. */
    public void send(byte[] data, int passFd) throws NativeIoException {
        if (data.length > MAX_MESSAGE) {
            throw new NativeIoException("sendmsg (" + data.length + " bytes)", EMSGSIZE, null);
        }
        NativeIoException.check("sendmsg", send0(live(), data, data.length, passFd < 0 ? null : new int[] {passFd}));
    }

    /**
     * Sends {@code data} as it is, up to twice {@value #MAX_MESSAGE} bytes and with up to 8
     * fds: what a careless or hostile peer could send (for tests of the receiving side).
     */
    public void sendRaw(byte[] data, int... passFds) throws NativeIoException {
        NativeIoException.check("sendmsg", send0(live(), data, data.length, passFds));
    }

    /**
     * The next message, or null at end of stream. Waits up to {@code timeoutMillis} (-1:
     * forever): then {@code EAGAIN}. A message over {@value #MAX_MESSAGE} bytes gives
     * {@code EMSGSIZE}, more than one fd {@code EBADMSG}; those messages are dropped whole,
     * with any fds they carried closed.
     */
    public Message receive(int timeoutMillis) throws NativeIoException {
        byte[] buf = new byte[MAX_MESSAGE];
        int[] passed = {-1};
        int n = NativeIoException.check("recvmsg", receive0(live(), buf, passed, timeoutMillis));
        if (n == 0) {
            return null;
        }
        return new Message(java.util.Arrays.copyOf(buf, n), passed[0]);
    }

    private int live() {
        if (!open.get()) {
            throw new IllegalStateException("socket closed");
        }
        return fd;
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            try {
                Posix.close(fd);
            } catch (NativeIoException e) {
                // nothing to do: the fd is released either way
            }
        }
    }

    private static native int listen0(String path, int backlog);

    private static native int connect0(String path);

    private static native int accept0(int fd);

    private static native int shutdown0(int fd);

    private static native int socketPair0(int[] out);

    private static native int peerCredentials0(int fd, int[] out);

    private static native int send0(int fd, byte[] data, int len, int[] passFds);

    private static native int receive0(int fd, byte[] data, int[] fdOut, int timeoutMillis);
}
