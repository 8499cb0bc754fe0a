package org.dmfilemapd.domain;

/**
 * How a monitor ended: the process exit status the original gives for it, and the message.
 * {@code error} results are logged at error level and followed by {@code Exiting}.
 */
public record MonitorResult(int status, String message, Kind kind) {
    public enum Kind { INFO, WARN, ERROR }

    public static MonitorResult info(String message) {
        return new MonitorResult(0, message, Kind.INFO);
    }

    public static MonitorResult warn(String message) {
        return new MonitorResult(0, message, Kind.WARN);
    }

    public static MonitorResult error(String message) {
        return new MonitorResult(1, message, Kind.ERROR);
    }

    public static final MonitorResult STOPPED = new MonitorResult(0, "Stopped.", Kind.INFO);
}
