package org.dmfilemapd.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * One pidfile per monitored group: {@code /run/dmfilemapd/dm-<major>-<minor>-group-<id>.pid}.
 * jsvc writes the daemon's (JVM's) pid there under a lock and refuses a second start while
 * that pid lives; the launcher and the launch API read it.
 */
public final class Pidfile {
    public static final String DIR_PROPERTY = "dmfilemapd.run.dir";

    private Pidfile() {
    }

    public static Path dir() {
        return Path.of(System.getProperty(DIR_PROPERTY, "/run/dmfilemapd"));
    }

    public static Path of(int major, int minor, long groupId) {
        return dir().resolve("dm-" + major + "-" + minor + "-group-" + groupId + ".pid");
    }

    /** The pid in {@code pidfile} if that process is alive. */
    public static OptionalLong runningPid(Path pidfile) {
        try {
            long pid = Long.parseLong(Files.readString(pidfile, StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? OptionalLong.of(pid)
                    : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
