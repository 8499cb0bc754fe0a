package org.dmfilemapd.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ch.qos.logback.classic.Level;

/**
 * Whether stderr is systemd-journald's stream, and the syslog priority prefix ({@code <3>}
 * error .. {@code <7>} debug) journald takes from the start of each line, so that
 * {@code journalctl -p warning} selects by level. systemd sets {@code JOURNAL_STREAM=dev:ino}
 * for the stream it connects; the variable is inherited by children whose output goes
 * elsewhere (jsvc's log file), so it counts only when fd 2 is that very socket (sd_journal_stream_fd(3)).
 */
final class JournalStream {
    static final String ENV = "JOURNAL_STREAM";

    private JournalStream() {
    }

    static boolean isStderr() {
        return matches(System.getenv(ENV), Path.of("/proc/self/fd/2"));
    }

    static boolean matches(String journalStream, Path fd) {
        if (journalStream == null || journalStream.isEmpty()) {
            return false;
        }
        try {
            Object dev = Files.getAttribute(fd, "unix:dev");
            Object ino = Files.getAttribute(fd, "unix:ino");
            return journalStream.equals(dev + ":" + ino);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The {@code <N>} prefix of syslog(3)'s levels: err, warning, info, debug. */
    static String prefix(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return "<3>";
        } else if (level.isGreaterOrEqual(Level.WARN)) {
            return "<4>";
        } else if (level.isGreaterOrEqual(Level.INFO)) {
            return "<6>";
        }
        return "<7>";
    }
}
