package org.dmfilemapd.client;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.dmfilemapd.background.JsvcLauncher;
import org.dmfilemapd.background.LaunchException;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.Spawn;
import org.dmfilemapd.service.DmfilemapdService;
import org.dmfilemapd.service.ServicePaths;
import org.dmfilemapd.sys.Pidfile;

/**
 * Reaches the service, starting it when none runs: through systemd when its unit is
 * installed and systemd runs the host, else under jsvc, detached, with {@code -wait} (so the
 * start is over, or failed, when jsvc returns). Commands that find no service start it one
 * at a time, so many at once end with one service and no failed starts; jsvc's pidfile and
 * the service lock keep it one service against any other way of starting it.
 */
public final class ServiceLauncher {
    /** The service's log (its stdout and stderr under jsvc), default {@value #DEFAULT_LOG}. */
    public static final String LOG_PROPERTY = "dmfilemapd.service.log";
    public static final String LOG_ENV = "DMFILEMAPD_SERVICE_LOG";
    public static final String VERBOSE_ENV = "DMFILEMAPD_SERVICE_VERBOSE";
    static final String DEFAULT_LOG = "/var/log/dmfilemapd.log";
    static final String UNIT = "dmfilemapd.service";
    private static final String START_LOCK = "service-start.lock";
    private static final List<String> UNIT_DIRS = List.of("/etc/systemd/system", "/usr/lib/systemd/system",
            "/lib/systemd/system");

    private ServiceLauncher() {
    }

    public static ServiceConnection connectOrStart() throws ServiceException {
        Optional<ServiceConnection> c = ServiceConnection.open();
        if (c.isPresent()) {
            return c.get();
        }
        try {
            Files.createDirectories(Pidfile.dir());
        } catch (IOException e) {
            throw new ServiceException("cannot create " + Pidfile.dir() + ": " + e.getMessage(), e);
        }
        // One starter at a time (dmstats starts a command per file at once): the others wait
        // here and then find the service the first one started, instead of racing jsvc
        // against its own pidfile. The holder is bounded by jsvc's -wait.
        try (FileChannel ch = FileChannel.open(Pidfile.dir().resolve(START_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            ch.lock(); // released when the channel closes
            c = ServiceConnection.open();
            if (c.isPresent()) {
                return c.get();
            }
            return systemdUnit() ? startWithSystemd() : startWithJsvc();
        } catch (IOException e) {
            throw new ServiceException("cannot take " + Pidfile.dir().resolve(START_LOCK) + ": " + e.getMessage(), e);
        }
    }

    static Path log() {
        String p = System.getProperty(LOG_PROPERTY, System.getenv(LOG_ENV));
        return Path.of(p == null || p.isEmpty() ? DEFAULT_LOG : p);
    }

    private static boolean systemdUnit() {
        if (!Files.isDirectory(Path.of("/run/systemd/system"))) {
            return false;
        }
        return UNIT_DIRS.stream().anyMatch(d -> Files.isRegularFile(Path.of(d, UNIT)));
    }

    private static ServiceConnection startWithSystemd() throws ServiceException {
        String systemctl = Files.isExecutable(Path.of("/usr/bin/systemctl")) ? "/usr/bin/systemctl" : "/bin/systemctl";
        int status = run(systemctl, new String[] {"systemctl", "start", UNIT}, -1);
        if (status != 0) {
            throw new ServiceException("cannot start the dmfilemapd service: systemctl start " + UNIT + " exited "
                    + status + " (see: journalctl -u " + UNIT + ")");
        }
        return awaitSocket(waitMillis()).orElseThrow(() -> new ServiceException(
                "the dmfilemapd service started by systemd does not listen on " + ServicePaths.socket()
                        + " (see: journalctl -u " + UNIT + ")"));
    }

    private static ServiceConnection startWithJsvc() throws ServiceException {
        Path jsvc;
        try {
            jsvc = JsvcLauncher.jsvc();
        } catch (LaunchException e) {
            throw new ServiceException("cannot start the dmfilemapd service: " + e.getMessage(), e);
        }
        Path log = log();
        long logStart = size(log);
        int logFd;
        try {
            logFd = Posix.openLog(log.toString());
        } catch (NativeIoException e) {
            throw new ServiceException("cannot open the service's log: " + e.getMessage(), e);
        }
        int status;
        try {
            // jsvc opens -outfile itself, following symlinks: it inherits our open file instead
            // and opens it by its /proc name; its controller and the JVM keep that fd, so a
            // SIGUSR1 (jsvc's reopen) opens the same file again (rotation: logrotate's copytruncate)
            status = run(jsvc.toString(), command(jsvc, log, "/proc/self/fd/" + logFd).toArray(String[]::new),
                    logFd);
        } finally {
            try {
                Posix.close(logFd);
            } catch (NativeIoException e) {
                // closed either way
            }
        }
        if (status == 0) {
            return awaitSocket(5000).orElseThrow(() -> new ServiceException("the dmfilemapd service started but does"
                    + " not listen on " + ServicePaths.socket() + tail(log, logStart)));
        }
        // a service started some other way (jsvc by hand, an older command) may still be
        // starting: its pid is in jsvc's pidfile, wait for it
        if (Pidfile.runningPid(ServicePaths.pidfile()).isPresent()) {
            Optional<ServiceConnection> c = awaitSocket(waitMillis());
            if (c.isPresent()) {
                return c.get();
            }
        }
        throw new ServiceException("cannot start the dmfilemapd service (jsvc exited " + status + ")"
                + tail(log, logStart));
    }

    static List<String> command(Path jsvc, Path log, String outfile) {
        List<String> argv = new ArrayList<>(List.of(jsvc.toString(),
                "-home", System.getProperty("java.home"),
                "-procname", "dmfilemapd",
                "-pidfile", ServicePaths.pidfile().toString(),
                "-wait", Integer.toString(Integer.getInteger(JsvcLauncher.WAIT_PROPERTY, 30)),
                "-cwd", "/",
                "-outfile", outfile,
                "-errfile", "&1",
                "-cp", JsvcLauncher.absoluteClassPath()));
        argv.addAll(JsvcLauncher.daemonJvmOptions());
        argv.add("-D" + LOG_PROPERTY + "=" + log);
        argv.add(DmfilemapdService.class.getName());
        String verbose = System.getenv(VERBOSE_ENV);
        argv.add(verbose == null || verbose.isEmpty() ? "1" : verbose);
        return argv;
    }

    /** Runs {@code path} to its end; {@code keepFd} >= 0: with that fd and stdio on /dev/null, else stdio as ours. */
    private static int run(String path, String[] argv, int keepFd) throws ServiceException {
        List<String> env = new ArrayList<>();
        System.getenv().forEach((k, v) -> env.add(k + "=" + v));
        try {
            int pid = Spawn.spawn(path, argv, env.toArray(String[]::new), keepFd, "/", false, keepFd >= 0);
            OptionalInt status = Spawn.waitFor(pid, true);
            return status.orElse(1);
        } catch (NativeIoException e) {
            throw new ServiceException("cannot start the dmfilemapd service: " + e.getMessage(), e);
        }
    }

    private static long waitMillis() {
        return Integer.getInteger(JsvcLauncher.WAIT_PROPERTY, 30) * 1000L + 5000;
    }

    /** Polls for a listening service (every 20 ms) until {@code millis} passed. */
    private static Optional<ServiceConnection> awaitSocket(long millis) throws ServiceException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            Optional<ServiceConnection> c = ServiceConnection.open();
            if (c.isPresent() || System.nanoTime() > end) {
                return c;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** What the service wrote to its log since {@code from} (its reason), at most 4 KiB. */
    private static String tail(Path log, long from) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            long start = Math.max(from, len - 4096);
            if (start >= len) {
                return " (nothing in " + log + ")";
            }
            byte[] b = new byte[(int) (len - start)];
            f.seek(start);
            f.readFully(b);
            return ":\n" + new String(b, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return " (see " + log + ")";
        }
    }
}
