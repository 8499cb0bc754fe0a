package org.dmfilemapd.background;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.NativeLibrary;
import org.dmfilemapd.jni.Spawn;
import org.dmfilemapd.service.DmfilemapdDaemon;
import org.dmfilemapd.sys.Pidfile;

/**
 * Starts the daemon in the background under jsvc and waits until it monitors ({@code -wait}),
 * so that a failed start comes back as an error instead of the original's unconditional 0.
 * jsvc runs detached (new session, cwd {@code /}), as root (dm ioctls need CAP_SYS_ADMIN: no
 * {@code -user}), with a pidfile per group and {@code -procname dmfilemapd}. It is spawned
 * with the monitored fd and stdio only, which closes every other inherited fd (jsvc closes
 * none). The JDK is the one this launcher runs on: no JAVA_HOME needed.
 */
public final class JsvcLauncher {
    public static final String JSVC_PROPERTY = "dmfilemapd.jsvc";
    /** JVM options for the daemon, space-separated (scripts/dmfilemapd passes its own). */
    public static final String JVM_OPTIONS_PROPERTY = "dmfilemapd.jvm.options";
    /**
     * jsvc's {@code -wait}: how long a start may take. jsvc looks after 1 s and then every
     * 1 + N/10 s, so a JVM that starts in under a second is reported at once either way; the
     * margin is for slow machines (a JVM under emulation takes several seconds).
     */
    public static final String WAIT_PROPERTY = "dmfilemapd.jsvc.wait";

    private JsvcLauncher() {
    }

    /** Starts monitoring {@code a} (already checked; {@code file} is its fstat); returns the daemon's pid. */
    public static long start(Arguments a, FileStat file) throws LaunchException {
        Path jsvc = jsvc();
        Path pidfile = Pidfile.of(file.devMajor(), file.devMinor(), a.groupId());
        OptionalLong running = Pidfile.runningPid(pidfile);
        if (running.isPresent()) {
            throw new LaunchException("group " + a.groupId() + " on device " + file.device()
                    + " is already monitored by pid " + running.getAsLong());
        }
        Path errfile = null;
        try {
            Files.createDirectories(Pidfile.dir());
            if (a.verbose() == 0) {
                // quiet: keep what a failed start says, to report it; the daemon goes quiet itself
                errfile = Files.createTempFile(Pidfile.dir(), pidfile.getFileName() + ".", ".start");
            }
        } catch (IOException e) {
            throw new LaunchException("cannot create " + Pidfile.dir() + ": " + e.getMessage(), e);
        }
        List<String> argv = command(jsvc, a, pidfile, errfile);
        try {
            int pid = Spawn.spawn(jsvc.toString(), argv.toArray(String[]::new), environment(), a.fd(), null, false,
                    false);
            OptionalInt status = Spawn.waitFor(pid, true);
            if (status.orElse(1) != 0) {
                String said = errfile == null ? "" : read(errfile).trim();
                throw new LaunchException("dmfilemapd did not start (jsvc exited " + status.orElse(-1) + ")"
                        + (said.isEmpty() ? "" : ":\n" + said));
            }
            OptionalLong daemon = Pidfile.runningPid(pidfile);
            if (daemon.isEmpty()) {
                throw new LaunchException("dmfilemapd started but ended at once (no live pid in " + pidfile + ")");
            }
            return daemon.getAsLong();
        } catch (NativeIoException e) {
            throw new LaunchException("Failed to start " + jsvc + ": " + e.getMessage(), e);
        } finally {
            if (errfile != null) {
                try {
                    Files.deleteIfExists(errfile);
                } catch (IOException e) {
                    // a stale start log in /run is harmless
                }
            }
        }
    }

    static List<String> command(Path jsvc, Arguments a, Path pidfile, Path errfile) {
        List<String> argv = new ArrayList<>(List.of(jsvc.toString(),
                "-home", System.getProperty("java.home"),
                "-procname", "dmfilemapd",
                "-pidfile", pidfile.toString(),
                "-wait", Integer.toString(Integer.getInteger(WAIT_PROPERTY, 30)),
                "-cwd", "/",
                // verbose keeps the caller's stdout/stderr, as the original's daemon does (jsvc
                // has pointed its own at /dev/null by then: name ours, alive while we wait)
                "-outfile", a.verbose() == 0 ? "/dev/null" : "/proc/" + ProcessHandle.current().pid() + "/fd/1",
                "-errfile", a.verbose() == 0 ? errfile.toString() : "/proc/" + ProcessHandle.current().pid() + "/fd/2",
                "-cp", absoluteClassPath()));
        argv.addAll(daemonJvmOptions());
        argv.add(DmfilemapdDaemon.class.getName());
        argv.addAll(List.of(a.toArgv(false)));
        return argv;
    }

    /** jsvc: {@value #JSVC_PROPERTY} or Debian's {@code /usr/bin/jsvc} (it must be called by an absolute path). */
    public static Path jsvc() throws LaunchException {
        Path jsvc = Path.of(System.getProperty(JSVC_PROPERTY, "/usr/bin/jsvc"));
        if (!Files.isExecutable(jsvc)) {
            throw new LaunchException(jsvc + " is not installed (Debian package jsvc)");
        }
        return jsvc;
    }

    /** The JVM options and properties a daemon started from this JVM gets (ours, absolute paths). */
    public static List<String> daemonJvmOptions() {
        List<String> argv = new ArrayList<>();
        for (String o : System.getProperty(JVM_OPTIONS_PROPERTY, "").trim().split("\\s+")) {
            if (!o.isEmpty()) {
                argv.add(o);
            }
        }
        String lib = System.getProperty(NativeLibrary.PATH_PROPERTY);
        if (lib != null) {
            argv.add("-D" + NativeLibrary.PATH_PROPERTY + "=" + new File(lib).getAbsolutePath());
        }
        String run = System.getProperty(Pidfile.DIR_PROPERTY);
        if (run != null) {
            argv.add("-D" + Pidfile.DIR_PROPERTY + "=" + new File(run).getAbsolutePath());
        }
        return argv;
    }

    static String[] environment() {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return env.toArray(String[]::new);
    }

    public static String absoluteClassPath() {
        StringBuilder sb = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (sb.length() > 0) {
                sb.append(File.pathSeparatorChar);
            }
            sb.append(new File(entry).getAbsolutePath());
        }
        return sb.toString();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
