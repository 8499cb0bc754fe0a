package org.dmfilemapd;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.log.Logging;
import org.dmfilemapd.cli.UsageException;
import org.dmfilemapd.jni.LibdmLog;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.monitor.StartException;
import org.dmfilemapd.monitor.StartupCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dmfilemapd} command: {@code <fd> <group_id> <abs_path> <inode|path> <foreground>
 * [<verbose>]}. Foreground monitors in this process and exits with the monitor's status.
 * Background checks that monitoring can start (status 1 and the reason if not), starts a
 * detached copy and returns 0.
 */
public final class Main {
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
        boolean daemon = Background.isDetachedChild();
        try {
            LibdmLog.configure();
        } catch (UnsatisfiedLinkError e) {
            log.error("Cannot load the native library: {}", e.getMessage());
            return 1;
        }
        if (!daemon) {
            log.info("Starting dmfilemapd with fd={}, group_id={} mode={}, path=\"{}\"", a.fd(), a.groupId(),
                    a.mode(), a.path());
        }
        if (!a.foreground() && !daemon) {
            try {
                StartupCheck.verify(a);
                int pid = Background.start(a);
                if (a.verbose() > 0) {
                    System.err.println("Started dmfilemapd with pid=" + pid);
                }
                return 0;
            } catch (StartException e) {
                log.error(e.getMessage());
                return 1;
            } catch (NativeIoException e) {
                log.error("Failed to fork daemon process: {}", e.getMessage());
                return 1;
            }
        }
        try (FileMonitor monitor = FileMonitor.open(a)) {
            return monitor.run().status();
        } catch (StartException e) {
            log.error(e.getMessage());
            return 1;
        }
    }
}
