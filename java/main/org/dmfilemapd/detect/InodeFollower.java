package org.dmfilemapd.detect;

import java.io.IOException;

import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the inode: the inherited fd is mapped for the daemon's whole life, so renames and
 * moves within the filesystem need nothing. The watch is placed through {@code /proc/self/fd},
 * i.e. on the inode itself, whatever its name is now. Unlinking raises {@code IN_ATTRIB} (the
 * link count changes), which makes the loop look at the file: a link count of 0 ends the
 * monitor once no other process holds the file. Only while it is unlinked and held is it
 * polled (another process's close raises nothing on our watch).
 */
public final class InodeFollower implements FileFollower {
    private static final Logger LOG = LoggerFactory.getLogger(InodeFollower.class);

    private final MonitoredFile file;
    private Watches watches;
    private int wd = -1;
    private boolean reportedHeld;
    private boolean closed;

    public InodeFollower(MonitoredFile file) {
        this.file = file;
    }

    @Override
    public void attach(Watches w) throws NativeIoException {
        wd = w.add("/proc/self/fd/" + file.fd());
        watches = w;
    }

    @Override
    public int fd() {
        return file.fd();
    }

    @Override
    public int watch() {
        return wd;
    }

    @Override
    public Verdict check() throws IOException {
        FileStat st = Posix.fstat(file.fd());
        if (st.nlink() > 0) {
            reportedHeld = false;
            return Verdict.CONTINUE;
        }
        int holder = new HolderScan().otherHolder(st);
        if (holder < 0) {
            return new Verdict.Exit(MonitorResult.info("File unlinked and closed: exiting."));
        }
        if (!reportedHeld) {
            LOG.info("File unlinked and open: continuing.");
            LOG.debug("Process {} still holds the unlinked file.", holder);
            reportedHeld = true;
        }
        return Verdict.POLL;
    }

    /** Removes the watch and closes the fd, as the original does when it ends. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watches != null) {
            watches.remove(wd);
        }
        try {
            Posix.close(file.fd());
        } catch (NativeIoException e) {
            LOG.warn("Error closing file descriptor.");
        }
    }
}
