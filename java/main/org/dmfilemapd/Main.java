package org.dmfilemapd;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.dmfilemapd.background.JsvcLauncher;
import org.dmfilemapd.background.LaunchException;
import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.client.Handover;
import org.dmfilemapd.client.ServiceException;
import org.dmfilemapd.client.ServiceMode;
import org.dmfilemapd.client.StatusCommand;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.StartException;
import org.dmfilemapd.domain.UsageException;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.LibdmLog;
import org.dmfilemapd.log.Logging;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.regions.StartupCheck;
import org.dmfilemapd.sys.SignalStop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dmfilemapd} command: {@code <fd> <group_id> <abs_path> <inode|path> <foreground>
 * [<verbose>]}, plus {@code status [--json]}, {@code forget <path|group>} and {@code metrics [--openmetrics]}.
 *
 * <p>By default the file goes to the dmfilemapd service (started when none runs): background
 * returns once the service monitors it (0) or says why it cannot (1); foreground waits for
 * the file's monitor to end and exits with its status (SIGTERM and SIGINT stop it with 0,
 * regions kept). With {@code DMFILEMAPD_SERVICE=0}, a process per file: foreground monitors in
 * this process, background starts a daemon of its own under jsvc.
 */
public final class Main {
    /** How long a signal waits for an update under way; far beyond any real one. */
    static final long UPDATE_GRACE_SECONDS = 120;

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        if (argv.length > 0 && argv.length < 5 && (argv[0].equals("status") || argv[0].equals("forget")
                || argv[0].equals("metrics"))) {
            return subcommand(argv);
        }
        Arguments a;
        try {
            a = Arguments.parse(argv);
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            if (e.showUsage()) {
                System.err.println(Arguments.USAGE);
            }
            return 1;
        }
        Logging.configure(a.verbose());
        Logger log = LoggerFactory.getLogger("dmfilemapd");
        try {
            LibdmLog.configure();
        } catch (UnsatisfiedLinkError e) {
            log.error("Cannot load the native library: {}", e.getMessage());
            return 1;
        }
        log.info("Starting dmfilemapd with fd={}, group_id={} mode={}, path=\"{}\"", a.fd(), a.groupId(), a.mode(),
                a.path());
        if (ServiceMode.enabled()) {
            return viaService(a, log);
        }
        try {
            if (!a.foreground()) {
                FileStat file = StartupCheck.verify(a);
                long pid = JsvcLauncher.start(a, file);
                if (a.verbose() > 0) {
                    System.err.println("Started dmfilemapd with pid=" + pid);
                }
                return 0;
            }
            return runInForeground(a);
        } catch (StartException | LaunchException e) {
            log.error(e.getMessage());
            return 1;
        }
    }

    /** Checked here (the command's messages), then monitored by the service. */
    private static int viaService(Arguments a, Logger log) {
        try {
            StartupCheck.verify(a);
            if (!a.foreground()) {
                long pid = Handover.background(a, true);
                if (a.verbose() > 0) {
                    System.err.println("Started dmfilemapd with pid=" + pid);
                }
                return 0;
            }
            return Handover.foreground(a, log);
        } catch (StartException | ServiceException e) {
            log.error(e.getMessage());
            return 1;
        }
    }

    /** Not in the original, which answers these with "Wrong number of arguments.". */
    private static int subcommand(String[] argv) {
        Logging.configure(0);
        try {
            if (argv[0].equals("status") && (argv.length == 1 || argv.length == 2 && argv[1].equals("--json"))) {
                return StatusCommand.status(argv.length == 2, System.out, System.err);
            }
            if (argv[0].equals("forget") && argv.length == 2) {
                return StatusCommand.forget(argv[1], System.out, System.err);
            }
            if (argv[0].equals("metrics") && (argv.length == 1 || argv.length == 2 && argv[1].equals("--openmetrics"))) {
                return StatusCommand.metrics(argv.length == 2, System.out, System.err);
            }
        } catch (UnsatisfiedLinkError e) {
            System.err.println("dmfilemapd: cannot load the native library: " + e.getMessage());
            return 1;
        }
        System.err.println("usage: dmfilemapd status [--json]");
        System.err.println("       dmfilemapd forget <abs_path|group_id|major:minor:group_id>");
        System.err.println("       dmfilemapd metrics [--openmetrics]");
        System.err.println(Arguments.USAGE);
        return 1;
    }

    private static int runInForeground(Arguments a) throws StartException {
        FileMonitor monitor = FileMonitor.open(a);
        CountDownLatch done = new CountDownLatch(1);
        // SIGTERM/SIGINT (not our own exit): stop cleanly, keep the regions, exit 0
        SignalStop onSignal = SignalStop.install(() -> {
            monitor.stop();
            try {
                // an update under way runs to its end (the group is untagged until then)
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(UPDATE_GRACE_SECONDS);
                while (!done.await(1, TimeUnit.SECONDS) && monitor.updating() && System.nanoTime() < giveUp) {
                    // keep waiting
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        MonitorResult result;
        try {
            result = monitor.run();
        } finally {
            monitor.close();
            done.countDown();
        }
        onSignal.done();
        return result.status();
    }
}
