package org.dmfilemapd;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.cli.UsageException;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.LibdmLog;
import org.dmfilemapd.launch.JsvcLauncher;
import org.dmfilemapd.launch.LaunchException;
import org.dmfilemapd.log.Logging;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.monitor.MonitorResult;
import org.dmfilemapd.monitor.StartException;
import org.dmfilemapd.monitor.StartupCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dmfilemapd} command: {@code <fd> <group_id> <abs_path> <inode|path> <foreground>
 * [<verbose>]}. Foreground monitors in this process and exits with the monitor's status
 * (SIGTERM and SIGINT stop it with 0, regions kept). Background checks that monitoring can
 * start, starts the daemon under jsvc, returns once it monitors (0) or says why it cannot (1).
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

    private static int runInForeground(Arguments a) throws StartException {
        FileMonitor monitor = FileMonitor.open(a);
        CountDownLatch done = new CountDownLatch(1);
        Thread onSignal = new Thread(() -> {
            // SIGTERM/SIGINT (not our own exit): stop cleanly, keep the regions, exit 0
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
            Runtime.getRuntime().halt(0);
        }, "signal-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        MonitorResult result;
        try {
            result = monitor.run();
        } finally {
            monitor.close();
            done.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException e) {
            // a signal's shutdown is under way: its hook decides the status
            try {
                onSignal.join();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        return result.status();
    }
}
