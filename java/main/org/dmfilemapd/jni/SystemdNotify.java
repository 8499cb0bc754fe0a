package org.dmfilemapd.jni;

import java.nio.charset.StandardCharsets;

/**
 * sd_notify(3) without libsystemd: a service of {@code Type=notify} tells systemd it is ready,
 * what it is doing and that it stops, in one datagram each to {@code $NOTIFY_SOCKET}. Outside
 * systemd (no such variable) every call does nothing. Failures are returned, never thrown:
 * a lost status line must not stop the service.
 */
public final class SystemdNotify {
    public static final String SOCKET_ENV = "NOTIFY_SOCKET";

    private final byte[] address;

    private SystemdNotify(byte[] address) {
        this.address = address;
    }

    /** The notifier for this process's {@code $NOTIFY_SOCKET}, or one that does nothing. */
    public static SystemdNotify fromEnvironment() {
        return of(System.getenv(SOCKET_ENV));
    }

    /** {@code socket} as systemd sets it: an absolute path or {@code @}abstract name; null or empty: none. */
    public static SystemdNotify of(String socket) {
        return new SystemdNotify(socket == null || socket.isEmpty() ? null
                : socket.getBytes(StandardCharsets.UTF_8));
    }

    public boolean enabled() {
        return address != null;
    }

    /** Sends {@code state} (newline-separated {@code KEY=value} lines); 0, or -errno. */
    public int send(String state) {
        if (address == null) {
            return 0;
        }
        NativeLibrary.load();
        return send0(address, state.getBytes(StandardCharsets.UTF_8));
    }

    public int ready(String status) {
        return send("READY=1\nSTATUS=" + status);
    }

    public int status(String status) {
        return send("STATUS=" + status);
    }

    public int reloading(String status) {
        return send("RELOADING=1\nSTATUS=" + status);
    }

    private static native int send0(byte[] address, byte[] message);
}
