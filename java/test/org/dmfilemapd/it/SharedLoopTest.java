package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.monitor.FileMonitor;
import org.dmfilemapd.service.MonitorHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One in-process {@link MonitorHost} (the real shim, in this JVM) running many monitors on
 * two dm devices (XFS and ext4): all kept in sync, a fixed number of threads and one inotify
 * instance whatever the number of files, and one file's end (group deleted, update failed)
 * ends that monitor only.
 */
class SharedLoopTest extends OnDmDevice {
    private static final int PER_DEVICE = 20;

    private DmDevice other;
    private MonitorHost host;
    private final Map<Path, MonitorResult> ended = new ConcurrentHashMap<>();

    /** A file the host monitors, and the group it started with. */
    private record Watched(Path file, long startGroup, FileMonitor monitor) {
        long group() {
            return monitor.groupId();
        }
    }

    @BeforeAll
    void secondDevice() {
        other = new DmDevice(Fs.EXT4);
    }

    @AfterAll
    void removeSecondDevice() {
        if (other != null) {
            other.close();
        }
    }

    @BeforeEach
    void cleanSecond() throws IOException {
        sh("rm -rf " + other.mount + "/* && touch " + other.mount + "/.anchor");
        Kernel.deleteAll(other.file(".anchor"));
        ended.clear();
        host = new MonitorHost();
    }

    @AfterEach
    void stopHost() {
        host.stopAll(10_000);
    }

    /** {@code n} files of 1 MiB on {@code d}, each followed by a spacer (growth is then a new extent), in one shell. */
    private static List<Path> files(DmDevice d, String prefix, int n) {
        StringBuilder sb = new StringBuilder();
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = d.file(prefix + i);
            out.add(f);
            sb.append("fallocate -l 1M ").append(f).append(" && fallocate -l 1M ").append(f).append(".spacer && ");
        }
        sh(sb + "sync");
        return out;
    }

    private Watched monitor(Path f, String mode) throws Exception {
        long g = Kernel.createGroup(f, false, null, f.getFileName().toString());
        int fd = Posix.openReadOnly(f.toString());
        FileMonitor m = FileMonitor.open(Arguments.parse(Integer.toString(fd), Long.toString(g), f.toString(), mode,
                "0", "0"));
        host.start(m, r -> ended.put(f, r));
        return new Watched(f, g, m);
    }

    /** Every monitor of {@code ws} has reconciled once (it knows its region count). */
    private void awaitWatching(List<Watched> ws) {
        Kernel.await(ws.size() + " monitors watching", SYNC, () -> ws.stream().allMatch(w -> {
            MonitorStatus s = w.monitor.status();
            return s.regionCount() > 0;
        }));
    }

    private static long hostThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(MonitorHost.THREAD_PREFIX)).count();
    }

    private static long inotifyInstances() throws IOException {
        return MonitorScenarios.inotifyInstances(ProcessHandle.current().pid());
    }

    /** Polls until the file's group (whatever id the monitor follows now) matches its extents. */
    private static void awaitInSync(Watched w) {
        Kernel.await(w.file + " in sync", SYNC, () -> {
            try {
                return Kernel.inSync(w.file, w.group());
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void grow(Path f) {
        sh("fallocate -o 4M -l 1M " + f);
    }

    @Test
    void fortyFilesOnTwoDevicesShareOneLoop() throws Exception {
        List<Path> paths = new ArrayList<>(files(dev, "x", PER_DEVICE));
        paths.addAll(files(other, "e", PER_DEVICE));
        long inotifyBefore = inotifyInstances();

        List<Watched> ws = new ArrayList<>();
        ws.add(monitor(paths.get(0), "inode"));
        awaitWatching(ws);
        long threadsWithOne = hostThreads();
        long jvmThreadsWithOne = Thread.getAllStackTraces().size();
        assertEquals(inotifyBefore + 1, inotifyInstances(), "one inotify instance for the host");
        for (int i = 1; i < paths.size(); i++) {
            ws.add(monitor(paths.get(i), i % 2 == 0 ? "inode" : "path"));
        }
        awaitWatching(ws);
        assertEquals(paths.size(), host.size());
        assertEquals(threadsWithOne, hostThreads(), "host threads with 1 and with " + paths.size() + " files");
        assertTrue(Thread.getAllStackTraces().size() <= jvmThreadsWithOne, "the JVM's threads did not grow");
        assertEquals(inotifyBefore + 1, inotifyInstances(), "still one inotify instance");

        for (Watched w : ws) {
            grow(w.file);
            awaitInSync(w);
        }
        for (Watched w : ws) {
            awaitInSync(w);
            assertEquals(2, Kernel.group(w.file, w.group()).size(), "grown by a non-contiguous extent: " + w.file);
        }
        assertTrue(ended.isEmpty(), "nothing ended: " + ended);

        // one group deleted: that monitor ends, alone
        Watched gone = ws.get(2);
        Kernel.deleteGroup(gone.file, gone.group(), true);
        Kernel.await("the monitor of the deleted group to end", EXIT, () -> ended.containsKey(gone.file));
        assertEquals(MonitorResult.info("Filemap group removed: exiting."), ended.get(gone.file));
        assertEquals(paths.size() - 1, host.size());
        Watched neighbour = ws.get(4); // same device
        Watched far = ws.get(ws.size() - 1); // the other device
        sh("fallocate -o 8M -l 1M " + neighbour.file + " && fallocate -o 8M -l 1M " + far.file);
        awaitInSync(neighbour); // its new region may take the freed id below its leader: the group moves
        awaitInSync(far);
        assertEquals(1, ended.size(), "only that one ended: " + ended);
    }

    // the group tag of ~300 new regions does not fit in a dm message: that update fails
    @Test
    void aFileWhoseUpdateFailsEndsAloneWithItsError() throws Exception {
        List<Path> paths = new ArrayList<>(files(dev, "x", 3));
        paths.addAll(files(other, "e", 3));
        List<Watched> ws = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            ws.add(monitor(paths.get(i), i % 2 == 0 ? "inode" : "path"));
        }
        Path victim = dev.file("victim");
        sh("fallocate -l 1M " + victim);
        Watched failing = monitor(victim, "path");
        ws.add(failing);
        awaitWatching(ws);

        // a replacement in 300 pieces: 600 blocks with every other one punched out (interleaving
        // two files' allocations left it to the allocator, which merged some of them once)
        Path pieces = dev.file("victim.new");
        sh("fallocate -l $((600*4096)) " + pieces + " && for i in $(seq 1 2 599); do fallocate -p -o $((i*4096)) -l 4096 "
                + pieces + " || exit 1; done; sync");
        assertEquals(300, Kernel.extents(pieces).size(), "fragmented");
        sh("mv " + pieces + " " + victim);

        Kernel.await("the failing monitor to end", EXIT, () -> ended.containsKey(victim));
        MonitorResult r = ended.get(victim);
        assertEquals(MonitorResult.error("Failed to update filemap regions for group_id=" + failing.startGroup + "."), r);
        assertEquals(1, Kernel.group(victim, failing.startGroup).size(), "group left unchanged");
        assertEquals(ws.size() - 1, host.size());
        for (Watched w : ws) {
            if (w != failing) {
                grow(w.file);
                awaitInSync(w);
            }
        }
        assertEquals(1, ended.size(), "only that one ended: " + ended);
    }
}
