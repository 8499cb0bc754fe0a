package org.dmfilemapd.regions;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.domain.StartException;
import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;

/**
 * What must hold before monitoring starts: the fd is open, names a regular file on a
 * device-mapper device, and that device's stats have the group. Read-only: lists, never
 * changes. The original checks none of this before it returns 0 to its caller, and crashes on
 * a device without regions.
 */
public final class StartupCheck {
    private StartupCheck() {
    }

    /**
     * The fds the command was given, listed by scripts/dmfilemapd before the JVM started
     * (which opens files of its own, so fstat alone cannot tell); absent in other launches.
     */
    public static final String INHERITED_FDS_PROPERTY = "dmfilemapd.inherited.fds";

    private static boolean inherited(int fd) {
        String list = System.getProperty(INHERITED_FDS_PROPERTY);
        if (list == null) {
            return true;
        }
        for (String n : list.split(",")) {
            if (n.trim().equals(Integer.toString(fd))) {
                return true;
            }
        }
        return false;
    }

    public static String who(Arguments a) {
        return "Cannot monitor fd=" + a.fd() + ", path=\"" + a.path() + "\", group_id=" + a.groupId() + ": ";
    }

    /** Verifies {@code a} with a throw-away handle. */
    public static FileStat verify(Arguments a) throws StartException {
        try (DmStats stats = new DmStats("dmfilemapd")) {
            return verify(a, stats);
        } catch (DmException e) {
            throw new StartException(who(a) + e.getMessage(), e);
        }
    }

    /** Verifies {@code a}, leaving {@code stats} bound to the file's device and listed (all programs). */
    public static FileStat verify(Arguments a, DmStats stats) throws StartException {
        if (!inherited(a.fd())) {
            throw new StartException(who(a) + "file descriptor is not open (" + a.fd()
                    + " was not passed to dmfilemapd)", null);
        }
        FileStat st;
        try {
            st = Posix.fstat(a.fd());
        } catch (NativeIoException e) {
            throw new StartException(who(a) + "file descriptor is not open (" + e.getMessage() + ")", e);
        }
        if (!st.isRegularFile()) {
            throw new StartException(who(a) + "not a regular file", null);
        }
        if (!DmStats.isDmMajor(st.devMajor())) {
            throw new StartException(who(a) + "not on a device-mapper device (the file is on device "
                    + st.device() + ")", null);
        }
        try {
            stats.bindFd(a.fd());
            stats.listAll();
        } catch (DmException e) {
            throw new StartException(who(a) + "cannot list the stats regions of device " + st.device() + ": "
                    + e.getMessage(), e);
        }
        if (!stats.groupPresent(a.groupId())) {
            throw new StartException(who(a) + "no such group on device " + st.device()
                    + (stats.regions().isEmpty() ? " (it has no stats regions)" : ""), null);
        }
        return st;
    }
}
