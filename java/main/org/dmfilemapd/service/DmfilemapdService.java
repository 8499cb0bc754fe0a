package org.dmfilemapd.service;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.daemon.Daemon;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonInitException;
import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.domain.StartException;
import org.dmfilemapd.domain.UsageException;
import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Request;
import org.dmfilemapd.jni.LibdmLog;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.SystemdNotify;
import org.dmfilemapd.jni.UnixSocket;
import org.dmfilemapd.log.Logging;
import org.dmfilemapd.monitor.FileMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dmfilemapd service under Apache Commons Daemon (jsvc): one process that monitors every
 * file handed to it over {@code /run/dmfilemapd/dmfilemapd.sock} by the {@code dmfilemapd}
 * command (see {@link HandoverServer}), on one {@link MonitorHost}. Optional argument: the
 * service's verbosity, 0..3 (default 1: starts, ends and refusals are logged).
 *
 * <ul>
 * <li>{@code init} takes the service lock (one service per host), listens on the socket and
 * reads the state a previous run saved; a second service is refused with the first one's pid;</li>
 * <li>{@code start} re-adopts the saved files, then accepts hand-overs;</li>
 * <li>{@code stop} (SIGTERM, {@code jsvc -stop}, SIGHUP's restart) saves the state with each
 * file's current path, stops every monitor (regions kept) and tells waiting foreground
 * commands; {@code destroy} removes the socket.</li>
 * </ul>
 *
 * The state ({@code /run/dmfilemapd/state}) is rewritten atomically on every change: a file
 * handed over, ended, or forgotten. Foreground hand-overs are not saved: their command waits
 * on a connection that a restart ends.
 */
public final class DmfilemapdService implements Daemon {
    static final long STOP_MILLIS = 1000;
    private static final int BACKLOG = 64;

    private final MonitorHost host = new MonitorHost();
    private final List<Tracked> tracked = new ArrayList<>(); // guarded by this
    private Logger log;
    private ServiceLock lock;
    private UnixSocket listener;
    private StateFile state;
    private List<AdoptedFile> saved = List.of();
    private HandoverServer server;
    private IdleTrim trim; // set before the hand-over thread starts
    private MetricsExporter metrics; // set before the hand-over thread starts
    private volatile boolean stopping;
    /** Type=notify under systemd: READY=1 once the socket is served, STATUS=, RELOADING=1 on stop. */
    private final SystemdNotify systemd = SystemdNotify.fromEnvironment();

    @Override
    public void init(DaemonContext context) throws DaemonInitException {
        int verbose = verbosity(context.getArguments());
        Logging.configure(verbose);
        log = LoggerFactory.getLogger("dmfilemapd.service");
        try {
            LibdmLog.configure();
            lock = ServiceLock.acquire();
            state = new StateFile(ServicePaths.state());
            saved = state.read(log::warn);
            listener = UnixSocket.listen(ServicePaths.socket().toString(), BACKLOG);
        } catch (IOException e) {
            fail(e.getMessage());
        } catch (UnsatisfiedLinkError e) {
            fail("Cannot load the native library: " + e.getMessage());
        }
    }

    private void fail(String message) throws DaemonInitException {
        log.error(message);
        if (lock != null) {
            lock.close();
            lock = null;
        }
        throw new DaemonInitException(message);
    }

    private static int verbosity(String[] args) throws DaemonInitException {
        if (args == null || args.length == 0) {
            return 1;
        }
        try {
            // the command's own parsing and messages for the one number
            return Arguments.parse("0", "0", "/", "inode", "0", args[0]).verbose();
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            throw new DaemonInitException(e.getMessage());
        }
    }

    @Override
    public void start() {
        for (Readoption.Adopted a : Readoption.adopt(saved)) {
            Tracked t = new Tracked(a.monitor(), a.fd(), a.file().verbose(), null, a.file().path());
            synchronized (this) {
                tracked.add(t);
            }
            host.start(t.monitor, r -> ended(t, r));
        }
        if (!saved.isEmpty()) {
            log.info("Re-adopted {} of {} file(s).", host.size(), saved.size());
        }
        persist();
        trim = IdleTrim.fromEnvironment(); // now: logging is configured
        metrics = MetricsExporter.fromEnvironment(this);
        metrics.start();
        server = new HandoverServer(listener, this);
        server.start();
        trim.activity();
        log.info("dmfilemapd service (pid {}) listening on {}.", ProcessHandle.current().pid(),
                ServicePaths.socket());
        systemd.ready(monitoring());
    }

    @Override
    public void stop() {
        // Not STOPPING=1: jsvc's reload (SIGHUP) stops this JVM just so and its controller (the
        // unit's main process) starts a new one, and after STOPPING=1 systemd would kill the
        // unit when the controller does not exit. RELOADING=1 is ignored while systemd stops
        // the unit, and after a SIGHUP it lasts until the new JVM's READY=1.
        systemd.reloading("Stopping");
        persist(); // with each file's current path, for the next start
        stopping = true;
        if (server != null) {
            server.stop();
        }
        host.stopAll(STOP_MILLIS);
        if (metrics != null) {
            metrics.stop();
        }
    }

    MetricsExporter metrics() {
        return metrics;
    }

    @Override
    public void destroy() {
        if (listener != null) {
            listener.close();
            try {
                Files.deleteIfExists(ServicePaths.socket()); // still ours: the lock is held
            } catch (IOException e) {
                log.warn("Cannot remove {}: {}", ServicePaths.socket(), e.getMessage());
            }
        }
        if (lock != null) {
            lock.close();
        }
    }

    /** A hand-over: what to answer, and what to do once the answer is sent. */
    record Outcome(Reply reply, Runnable afterReply) {
    }

    /** Takes the file on {@code fd} (ours now) as {@code req} asks; {@code conn} waits for a foreground result. */
    Outcome handOver(Request.Monitor req, int fd, UnixSocket conn, int peerPid) {
        if (stopping) {
            closeQuietly(fd);
            return new Outcome(new Reply.Refused("the dmfilemapd service is stopping"), null);
        }
        FileMonitor m;
        try {
            m = FileMonitor.open(new Arguments(fd, req.groupId(), req.path(), req.mode(), req.foreground(),
                    req.verbose()));
        } catch (StartException | RuntimeException e) {
            closeQuietly(fd);
            log.warn("Refused \"{}\" (group {}) from pid {}: {}", req.path(), req.groupId(), peerPid, e.getMessage());
            return new Outcome(new Reply.Refused(e.getMessage()), null);
        }
        Tracked t = new Tracked(m, fd, req.verbose(), req.foreground() ? conn : null, req.path());
        synchronized (this) {
            tracked.add(t);
        }
        persist();
        MonitorStatus s = m.status();
        log.info("Monitoring \"{}\" ({} mode, group {} on device {}{}) handed over by pid {}.", req.path(), req.mode(),
                s.groupId(), s.device(), req.foreground() ? ", foreground" : "", peerPid);
        return new Outcome(new Reply.Accepted(ProcessHandle.current().pid(), s.groupId()), () -> {
            if (t.waiter != null) {
                startWaiter(t);
            }
            host.start(m, r -> ended(t, r));
            trim.activity();
        });
    }

    /**
     * A foreground command waits on its connection: a {@code Stop} from it (its SIGTERM or
     * SIGINT) or its end (killed) stops that monitor, regions kept, like a signal to the
     * original's foreground daemon. The thread closes the connection once the monitor ended.
     */
    private void startWaiter(Tracked t) {
        Thread w = new Thread(() -> {
            try {
                while (true) {
                    UnixSocket.Message msg = t.waiter.receive(-1);
                    if (msg == null) {
                        break;
                    }
                    if (msg.fd() >= 0) {
                        closeQuietly(msg.fd());
                    }
                    if (HandoverServer.isStop(msg.data())) {
                        break;
                    }
                }
            } catch (NativeIoException | IllegalStateException e) {
                // the connection ended
            }
            if (!t.ended) {
                t.forgotten = true;
                host.forget(t::is);
            }
            try {
                t.endedLatch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            t.waiter.close();
        }, "foreground-" + t.monitor.groupId());
        w.setDaemon(true);
        w.start();
    }

    private void ended(Tracked t, MonitorResult result) {
        t.ended = true;
        String path = t.status().path();
        MonitorStatus s = t.monitor.status();
        synchronized (this) {
            tracked.remove(t);
        }
        if (!stopping) {
            persist();
        }
        if (stopping) {
            log.debug("Stopped \"{}\" (group {} on device {}): the service stops.", path, s.groupId(), s.device());
        } else if (t.forgotten) {
            log.info("No longer monitoring \"{}\" (group {} on device {}): forgotten, regions kept.", path,
                    s.groupId(), s.device());
        } else {
            log.info("Monitoring of \"{}\" (group {} on device {}) ended with status {}: {}", path, s.groupId(),
                    s.device(), result.status(), result.message());
        }
        if (t.waiter != null) {
            MonitorResult told = stopping ? MonitorResult.warn("The dmfilemapd service stopped: \"" + path
                    + "\" is no longer monitored.") : result;
            try {
                t.waiter.send(org.dmfilemapd.handover.Wire.encode(new Reply.Ended(told)), -1);
            } catch (NativeIoException | IllegalStateException e) {
                log.debug("The foreground command of \"{}\" is gone: {}", path, e.getMessage());
            }
            t.waiter.shutdown();
        }
        t.endedLatch.countDown();
    }

    /** Every monitored file, in hand-over order. */
    /** The files monitored now (a copy). */
    synchronized List<Tracked> tracked() {
        return new ArrayList<>(tracked);
    }

    synchronized List<MonitorStatus> status() {
        return tracked.stream().map(Tracked::status).toList();
    }

    /**
     * Stops monitoring the file {@code target} names (its path, now or as handed over; a
     * group id; or {@code major:minor:group}), regions kept. A group id that several devices
     * have is refused with the candidates.
     */
    Reply.Refused forget(String target, List<MonitorStatus> forgotten) {
        List<Tracked> hits = new ArrayList<>();
        synchronized (this) {
            for (Tracked t : tracked) {
                if (ForgetTarget.matches(target, t.status(), t.monitor.status().path())) {
                    hits.add(t);
                }
            }
        }
        if (hits.isEmpty()) {
            return new Reply.Refused("no monitored file is " + ForgetTarget.describe(target));
        }
        if (hits.size() > 1) {
            StringBuilder sb = new StringBuilder("group " + target + " is monitored on " + hits.size()
                    + " devices; name one as major:minor:group or by path:");
            for (Tracked t : hits) {
                MonitorStatus s = t.status();
                sb.append("\n  ").append(s.device()).append(':').append(s.groupId()).append("  ").append(s.path());
            }
            return new Reply.Refused(sb.toString());
        }
        Tracked t = hits.get(0);
        forgotten.add(t.status());
        t.forgotten = true;
        host.forget(t::is);
        try {
            // answer once it is no longer monitored (and no longer in the saved state)
            if (!t.endedLatch.await(5, TimeUnit.SECONDS)) {
                log.warn("\"{}\" was asked to stop but still runs after 5 s", forgotten.get(0).path());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private synchronized String monitoring() {
        return "Monitoring " + tracked.size() + (tracked.size() == 1 ? " file" : " files");
    }

    private void persist() {
        List<AdoptedFile> files;
        synchronized (this) {
            files = tracked.stream().filter(t -> t.waiter == null && !t.ended).map(Tracked::toAdopt).toList();
        }
        if (!stopping) {
            systemd.status(monitoring());
        }
        synchronized (state) {
            try {
                state.write(files);
            } catch (IOException e) {
                log.error("Cannot save the service state in {}: {}", ServicePaths.state(), e.getMessage());
            }
        }
    }

    static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (NativeIoException e) {
            // nothing else to do with it
        }
    }
}
