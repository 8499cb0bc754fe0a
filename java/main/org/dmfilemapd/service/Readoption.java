package org.dmfilemapd.service;

import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.detect.RegularFileOpen;
import org.dmfilemapd.domain.StartException;
import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.detect.RegularFileOpen;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.regions.Extent;
import org.dmfilemapd.regions.ExtentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back the files a previous run of the service monitored: each is opened by its path
 * and must still be the same file (inode mode: the same device and inode; path mode: a file
 * on the same device, since regions are offsets on it), and its group must still exist and
 * still map some of the file's blocks: group ids are reused, and a group deleted while the
 * service was down may now be another file's, which re-adopting would overwrite.
 * Each file that cannot be taken back is logged with the reason, and the rest go on.
 */
final class Readoption {
    private static final Logger LOG = LoggerFactory.getLogger("dmfilemapd.service");

    record Adopted(FileMonitor monitor, int fd, AdoptedFile file) {
    }

    private Readoption() {
    }

    static List<Adopted> adopt(List<AdoptedFile> files) {
        List<Adopted> adopted = new ArrayList<>();
        for (AdoptedFile f : files) {
            try {
                adopted.add(adopt(f));
            } catch (StartException e) {
                LOG.warn("Cannot re-adopt \"{}\" ({} mode, group {} on device {}, inode {}): {}", f.path(), f.mode(),
                        f.groupId(), f.device(), f.ino(), e.getMessage());
            }
        }
        return adopted;
    }

    private static Adopted adopt(AdoptedFile f) throws StartException {
        int fd;
        FileStat st;
        try {
            // never a blocking open of the path: a FIFO there must not hold up the service's start
            RegularFileOpen.Opened o = RegularFileOpen.open(f.path(), f.devMajor(), f.devMinor());
            fd = o.fd();
            st = o.stat();
        } catch (NativeIoException e) {
            throw new StartException("cannot open it: " + e.getMessage(), e);
        } catch (RegularFileOpen.RefusedException e) {
            throw new StartException("the path " + e.getMessage(), e);
        }
        try {
            if (f.mode() == org.dmfilemapd.domain.Mode.INODE && st.ino() != f.ino()) {
                throw new StartException("the path now names inode " + st.ino() + ", not the monitored inode "
                        + f.ino() + " (inode mode follows the inode, not the path)", null);
            }
            requireGroupMapsFile(fd, f);
            FileMonitor m = FileMonitor.open(new Arguments(fd, f.groupId(), f.path(), f.mode(), false, f.verbose()));
            LOG.info("Re-adopted \"{}\" ({} mode, group {} on device {}).", f.path(), f.mode(), f.groupId(),
                    f.device());
            return new Adopted(m, fd, f);
        } catch (StartException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /**
     * A group that is still this file's shares blocks with it (extents may have moved while
     * nobody watched, but not all of them, or the file is past saving anyway); one whose id was
     * reused by another file's group cannot, since a block belongs to one file at a time.
     */
    private static void requireGroupMapsFile(int fd, AdoptedFile f) throws StartException {
        List<Extent> extents;
        List<Region> members;
        try (DmStats stats = new DmStats("dmfilemapd")) {
            stats.bindFd(fd);
            stats.listAll();
            members = stats.groupRegions(f.groupId());
            extents = ExtentMap.read(fd).extents();
        } catch (DmException e) {
            throw new StartException("cannot list the stats regions of device " + f.device() + ": " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new StartException("cannot map it: " + e.getMessage(), e);
        }
        if (members.isEmpty()) {
            throw new StartException("no such group on device " + f.device(), null);
        }
        for (Region r : members) {
            for (Extent e : extents) {
                if (r.start() < e.end() && e.start() < r.start() + r.length()) {
                    return;
                }
            }
        }
        throw new StartException("group " + f.groupId() + " on device " + f.device()
                + " maps none of the file's blocks now (the group was deleted and its id reused)", null);
    }

    private static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (NativeIoException e) {
            // nothing else to do
        }
    }
}
