package org.dmfilemapd.detect;

import java.io.IOException;

import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the path: when another file takes its place (written elsewhere, renamed over it),
 * that file is opened, watched and mapped at once. If nothing is at the path for about a
 * second (the original's tolerance: 9 looks, 100 ms apart) the monitor ends with status 1.
 * The watch moves with the file (on the host's one inotify instance). The replaced file's
 * fd (at first the inherited one) is closed, so its space can be freed.
 *
 * <p>The path is looked at when the watched file raises an identity event: a rename over the
 * path or an unlink lowers its link count ({@code IN_ATTRIB}), a rename away raises
 * {@code IN_MOVE_SELF}. What raises nothing on the file (its directory renamed) is found by
 * the look that goes with every remap.
 */
public final class PathFollower implements FileFollower {
    private static final Logger LOG = LoggerFactory.getLogger(PathFollower.class);
    static final int REOPEN_TRIES = 9;
    public static final long REOPEN_WAIT_MS = 100;

    private final MonitoredFile original;
    private Watches watches;
    private int fd;
    private FileStat current;
    private int wd = -1;
    private int missing;

    PathFollower(MonitoredFile file) {
        this.original = file;
        this.fd = file.fd();
        this.current = file.stat();
    }

    @Override
    public void attach(Watches w) throws NativeIoException {
        wd = w.add("/proc/self/fd/" + fd);
        watches = w;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public int watch() {
        return wd;
    }

    @Override
    public Verdict check() throws IOException {
        FileStat atPath;
        try {
            atPath = Posix.stat(original.path());
        } catch (NativeIoException e) {
            if (++missing < REOPEN_TRIES) {
                LOG.debug("Waiting for unlinked path");
                return new Verdict.RecheckSoon(REOPEN_WAIT_MS);
            }
            return new Verdict.Exit(MonitorResult.error("Could not re-open file descriptor."));
        }
        missing = 0;
        if (atPath.sameFile(current)) {
            return Verdict.CONTINUE;
        }
        return reopen();
    }

    private Verdict reopen() throws IOException {
        int newFd;
        FileStat st;
        try {
            // never a blocking open of the path: one FIFO or device node must not stall the others
            RegularFileOpen.Opened o = RegularFileOpen.open(original.path(), original.stat().devMajor(),
                    original.stat().devMinor());
            newFd = o.fd();
            st = o.stat();
        } catch (NativeIoException e) {
            missing++;
            return new Verdict.RecheckSoon(REOPEN_WAIT_MS);
        } catch (RegularFileOpen.RefusedException e) {
            return new Verdict.Exit(MonitorResult.error("Replacement file \"" + original.path() + "\" "
                    + e.getMessage() + ": exiting."));
        }
        int newWd;
        try {
            newWd = watches.add("/proc/self/fd/" + newFd);
        } catch (NativeIoException e) {
            Posix.close(newFd);
            throw e;
        }
        removeWatch(wd); // a hold per add: the same wd (same inode) was counted twice
        closeFd();
        fd = newFd;
        wd = newWd;
        current = st;
        LOG.info("Path \"{}\" now names inode {}: following it.", original.path(), st.ino());
        return Verdict.REPLACED;
    }

    private void removeWatch(int w) {
        if (watches != null) {
            watches.remove(w);
        }
    }

    private void closeFd() {
        if (fd >= 0) {
            try {
                Posix.close(fd);
            } catch (NativeIoException e) {
                LOG.warn("Error closing file descriptor.");
            }
            fd = -1;
        }
    }

    /** Closes the watch and the current fd (the inherited one, until it was replaced). */
    @Override
    public void close() {
        if (fd >= 0) {
            removeWatch(wd);
            wd = -1;
        }
        closeFd();
    }
}
