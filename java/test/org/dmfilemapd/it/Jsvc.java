package org.dmfilemapd.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.sys.Pidfile;

/** The jsvc-managed daemon of a group, found through its pidfile. */
final class Jsvc {
    private Jsvc() {
    }

    static Path pidfile(Path file, long groupId) throws IOException {
        FileStat st = Posix.stat(file.toString());
        return Pidfile.of(st.devMajor(), st.devMinor(), groupId);
    }

    /** Waits for a live daemon in the group's pidfile; returns its (JVM's) pid. */
    static long awaitDaemon(Path file, long groupId, Duration timeout) throws IOException {
        Path pidfile = pidfile(file, groupId);
        long[] pid = {-1};
        Kernel.await("a live pid in " + pidfile, timeout, () -> {
            OptionalLong p = Pidfile.runningPid(pidfile);
            p.ifPresent(v -> pid[0] = v);
            return p.isPresent();
        });
        return pid[0];
    }

    /** Waits until {@code pid} has exited (a zombie not yet reaped by init counts as exited). */
    static void awaitGone(long pid, Duration timeout) {
        Kernel.await("process " + pid + " to exit", timeout, () -> {
            try {
                return statField(pid, 0).equals("Z");
            } catch (IOException | RuntimeException e) {
                return true;
            }
        });
    }

    static long ppid(long pid) throws IOException {
        return Long.parseLong(statField(pid, 1));
    }

    static long sid(long pid) throws IOException {
        return Long.parseLong(statField(pid, 3));
    }

    /** Field {@code i} after the command name in /proc/pid/stat (0 = state). */
    private static String statField(long pid, int i) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[i];
    }

    static boolean holdsFile(long pid, String target) {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.anyMatch(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().equals(target);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    static String link(long pid, String name) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/" + name)).toString();
    }
}
