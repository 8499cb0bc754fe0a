package org.dmfilemapd.service;

import org.apache.commons.daemon.Daemon;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonInitException;
import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.StartException;
import org.dmfilemapd.domain.UsageException;
import org.dmfilemapd.jni.LibdmLog;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.log.Logging;
import org.dmfilemapd.monitor.FileMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon under Apache Commons Daemon (jsvc). Arguments are the command's:
 * {@code <fd> <group_id> <abs_path> <mode> <foreground> <verbose>}.
 *
 * <ul>
 * <li>{@code init} parses and checks them and the inherited fd, and refuses with
 * {@link DaemonInitException} and the command's message (jsvc then exits non-zero);</li>
 * <li>{@code start} starts monitoring and returns; with verbose 0 stdout and stderr then go
 * to {@code /dev/null}, as the original's daemon does;</li>
 * <li>{@code stop} (SIGTERM, SIGINT, {@code jsvc -stop}) ends monitoring within a second and
 * leaves the regions in the kernel; {@code destroy} releases what is left;</li>
 * <li>when the monitor ends by itself the process exits with the original's status.</li>
 * </ul>
 *
 * No static logger: jsvc instantiates this class before {@code init}, and the log level must
 * be set before SLF4J initialises.
 */
public final class DmfilemapdDaemon implements Daemon {
    static final long STOP_MILLIS = 1000;

    private final MonitorHost host = new MonitorHost();
    private Arguments args;
    private FileMonitor monitor;
    private volatile boolean stopping;

    @Override
    public void init(DaemonContext context) throws DaemonInitException {
        try {
            args = Arguments.parse(context.getArguments());
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            throw new DaemonInitException(e.getMessage());
        }
        Logging.configure(args.verbose());
        Logger log = LoggerFactory.getLogger("dmfilemapd");
        try {
            LibdmLog.configure();
            monitor = FileMonitor.open(args);
        } catch (StartException e) {
            log.error(e.getMessage());
            throw new DaemonInitException(e.getMessage());
        } catch (UnsatisfiedLinkError e) {
            log.error("Cannot load the native library: {}", e.getMessage());
            throw new DaemonInitException(e.getMessage());
        }
    }

    @Override
    public void start() {
        if (args.verbose() == 0) {
            Posix.stdoutAndStderrToDevNull();
        }
        FileMonitor m = monitor;
        monitor = null;
        host.start(m, this::ended);
        IdleTrim.fromEnvironment().activity();
    }

    private void ended(MonitorResult result) {
        if (!stopping) {
            // ended by itself: the original's status is the process's (jsvc passes 0 and 1 on)
            System.exit(result.status());
        }
    }

    @Override
    public void stop() {
        stopping = true;
        host.stopAll(STOP_MILLIS);
    }

    @Override
    public void destroy() {
        if (monitor != null) {
            monitor.close(); // init ran, start did not
            monitor = null;
        }
    }
}
