package org.dmfilemapd.launch;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.dmfilemapd.background.LaunchException;
import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.client.Handover;
import org.dmfilemapd.client.ServiceException;
import org.dmfilemapd.client.ServiceMode;
import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.domain.StartException;
import org.dmfilemapd.domain.UsageException;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Spawn;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.regions.StartupCheck;
import org.dmfilemapd.sys.Pidfile;

/**
 * Starting a monitor from Java: the equivalent of libdevmapper's
 * {@code dm_stats_start_filemapd()} and {@code dm_filemapd_mode_from_string()}.
 */
public final class Filemapd {
    /** Overrides the PATH lookup of the command (tests, or an install outside PATH). */
    public static final String COMMAND_PROPERTY = "dmfilemapd.command";

    private Filemapd() {
    }

    /**
     * {@code "inode"} or {@code "path"}, exactly; otherwise IllegalArgumentException with
     * libdm's message {@code Could not parse dmfilemapd mode: <s>}.
     */
    public static Mode modeFromString(String s) {
        try {
            return Mode.parse(s);
        } catch (UsageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Starts monitoring the file open on {@code fd} (whose path is {@code path}) for region
     * group {@code groupId}, checked with libdm's messages: {@code dmfilemapd file descriptor
     * must be non-negative: N}, {@code Path argument must specify an absolute path.},
     * {@code Invalid dmfilemapd mode argument: ...}, {@code Invalid dmfilemapd foreground
     * argument. Must be 0 or 1: N.}, {@code Invalid dmfilemapd verbose argument. Must be 0..3: N.}
     * Any group id of 0 or more is accepted (libdm's own limit is 10^7).
     *
     * <p>Background ({@code foreground == 0}), by default: the fd is handed to the dmfilemapd
     * service (started if none runs), which monitors it; returns the service's pid once it
     * monitors, or throws {@link LaunchException} with the reason. The caller keeps its fd (close
     * it, as dmstats does: in inode mode a holder keeps an unlinked file monitored).
     *
     * <p>Background with {@code DMFILEMAPD_SERVICE=0} (or {@code -Ddmfilemapd.service=0}): the {@code dmfilemapd} command found on
     * {@code PATH} (or named by {@value #COMMAND_PROPERTY}) is spawned with {@code fd} as its only inherited descriptor beyond stdio,
     * as libdm's fork and exec does; unlike libdm, this returns once the daemon monitors, with
     * the daemon's pid, or throws {@link LaunchException} with the reason. The checks the
     * daemon would fail (fd not open, not a regular file, not on a device-mapper device, no
     * such group) are made here first and reported with the command's messages.
     *
     * <p>Foreground ({@code foreground == 1}): libdm replaces the calling process with the
     * daemon. Here the <em>calling thread</em> becomes the monitor: this call returns when
     * monitoring ends, with the daemon's exit status (0: group removed, file unlinked and
     * closed, or truncated; 1: an error). {@code fd} is closed when it returns.
     *
     * @return the daemon's pid (background) or the monitor's exit status (foreground)
     */
    public static long start(int fd, long groupId, String path, Mode mode, int foreground, int verbose)
            throws LaunchException {
        if (fd < 0) {
            throw new IllegalArgumentException("dmfilemapd file descriptor must be non-negative: " + fd);
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("Path argument must specify an absolute path.");
        }
        if (mode == null) {
            throw new IllegalArgumentException(
                    "Invalid dmfilemapd mode argument: Must be DM_FILEMAPD_FOLLOW_INODE or DM_FILEMAPD_FOLLOW_PATH");
        }
        if (foreground < 0 || foreground > 1) {
            throw new IllegalArgumentException(
                    "Invalid dmfilemapd foreground argument. Must be 0 or 1: " + foreground + ".");
        }
        if (verbose < 0 || verbose > 3) {
            throw new IllegalArgumentException("Invalid dmfilemapd verbose argument. Must be 0..3: " + verbose + ".");
        }
        if (groupId < 0) {
            throw new IllegalArgumentException("dmfilemapd group id must be non-negative: " + groupId);
        }
        Arguments a = new Arguments(fd, groupId, path, mode, foreground == 1, verbose);
        try {
            if (a.foreground()) {
                try (FileMonitor monitor = FileMonitor.open(a)) {
                    return monitor.run().status();
                }
            }
            FileStat file = StartupCheck.verify(a);
            if (ServiceMode.enabled()) {
                return Handover.background(a, false);
            }
            return spawnCommand(a, file);
        } catch (StartException | ServiceException e) {
            throw new LaunchException(e.getMessage(), e);
        }
    }

    private static long spawnCommand(Arguments a, FileStat file) throws LaunchException {
        Path command = onPath("dmfilemapd");
        List<String> argv = new ArrayList<>();
        argv.add("dmfilemapd");
        argv.addAll(List.of(a.toArgv(false)));
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!e.getKey().equals(ServiceMode.ENV)) {
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        env.add(ServiceMode.ENV + "=0"); // this path is the process-per-file one
        try {
            int pid = Spawn.spawn(command.toString(), argv.toArray(String[]::new), env.toArray(String[]::new),
                    a.fd(), null, false, false);
            OptionalInt status = Spawn.waitFor(pid, true);
            if (status.orElse(1) != 0) {
                throw new LaunchException(command + " exited with status " + status.orElse(-1)
                        + " (its reason is on stderr)");
            }
        } catch (NativeIoException e) {
            throw new LaunchException("dmfilemapd: " + e.getMessage(), e);
        }
        OptionalLong daemon = Pidfile.runningPid(Pidfile.of(file.devMajor(), file.devMinor(), a.groupId()));
        if (daemon.isEmpty()) {
            throw new LaunchException("dmfilemapd returned 0 but no daemon runs for group " + a.groupId());
        }
        return daemon.getAsLong();
    }

    /** The command to spawn: {@value #COMMAND_PROPERTY} if set, else {@code dmfilemapd} on PATH. */
    private static Path onPath(String name) throws LaunchException {
        String override = System.getProperty(COMMAND_PROPERTY);
        if (override != null && !override.isEmpty()) {
            return Path.of(override).toAbsolutePath();
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath();
            }
        }
        throw new LaunchException("dmfilemapd: execvp failed: No such file or directory (not on PATH: " + path + ")");
    }
}
