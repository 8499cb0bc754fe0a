package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Request;
import org.dmfilemapd.handover.Wire;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.jni.UnixSocket;
import org.dmfilemapd.service.ServicePaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One service, many files, through the real command: 50 files on two devices (XFS and
 * ext4) handed over, grown and kept in sync; status against the kernel; a non-root peer,
 * malformed and oversized requests refused without harm; foreground hand-overs; restarts
 * (SIGHUP, stop and start) that re-adopt the files; forget. The tests run in order on the
 * same 50 files and service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceTest extends OnDmDevice {
    private static final int FILES = 50;
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration RESTART = Duration.ofSeconds(180);

    private DmDevice dev2;
    private final List<Path> files = new ArrayList<>();
    private final List<Long> groups = new ArrayList<>();
    private int grownBy; // MiB added behind a spacer so far, per file

    @BeforeAll
    void twoDevicesAndNoService() throws IOException {
        Service.reset(EXIT);
        dev2 = new DmDevice(Fs.EXT4);
    }

    @AfterAll
    void cleanUp() throws IOException {
        Service.reset(EXIT);
        if (dev2 != null) {
            dev2.close();
        }
    }

    @Override
    void clean() {
        // the tests share their files and service, in order
    }

    private Path file(int i) {
        return files.get(i);
    }

    private long group(int i) {
        return groups.get(i);
    }

    /** 1 MiB files, each with a spacer behind it, so that growth adds a region. */
    private void makeFiles() throws IOException {
        StringBuilder sb = new StringBuilder("set -e\n");
        for (int i = 0; i < FILES; i++) {
            Path f = (i < FILES / 2 ? dev : dev2).file("f" + i + ".img");
            files.add(f);
            sb.append("fallocate -l 1M ").append(f).append("; fallocate -l 1M ").append(f).append(".spacer\n");
        }
        sh(sb + "sync");
        for (Path f : files) {
            groups.add(Kernel.createGroup(f, false, null, f.getFileName().toString()));
        }
    }

    /** Grows every file in turn (a new extent after its spacer) and waits until each is in sync. */
    private void growAll(List<Integer> which) throws IOException {
        grownBy++;
        for (int i : which) {
            sh("fallocate -o " + (1 + grownBy * 2) + "M -l 1M " + file(i));
            Kernel.awaitInSync(file(i), group(i), SYNC);
        }
        for (int i : which) {
            assertTrue(Kernel.inSync(file(i), group(i)), "still in sync: " + file(i));
        }
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }

    /** Hands file i over through the real command (background); returns how long the command took, in ms. */
    private long handOver(int i) throws IOException {
        long t0 = System.nanoTime();
        try (DaemonProcess d = DaemonProcess.startInService(file(i), group(i), "inode", false, 0)) {
            assertEquals(0, d.awaitExit(START), file(i) + ":\n" + d.log());
            assertEquals("", d.log(), "a quiet hand-over prints nothing");
        }
        return (System.nanoTime() - t0) / MS;
    }

    private static long servicesRunning() {
        // [D]: not the shell running pgrep; the jsvc controller and the JVM
        return Long.parseLong(Sh.run("pgrep -c -f '[D]mfilemapdService' || true").trim());
    }

    @Test
    @Order(1)
    void fiftyFilesOnTwoDevicesGoToOneService() throws Exception {
        makeFiles();
        int logBefore = Service.log().length();
        List<Long> times = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (int i = 0; i < FILES; i++) {
                int n = i;
                done.add(pool.submit(() -> handOver(n)));
            }
            for (Future<Long> f : done) {
                times.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, servicesRunning(), "one service (jsvc's controller and its JVM)");
        // the three first commands found no service: one started it, the others waited for it
        String log = Service.log().substring(logBefore);
        assertFalse(log.contains("Still running according to PID file"), log);
        assertEquals(FILES, Service.status().size());
        growAll(range(0, FILES));
        List<Long> sorted = new ArrayList<>(times.subList(3, times.size())); // after the start race
        sorted.sort(null);
        System.out.println("hand-over through the command (start to monitoring), ms: median "
                + sorted.get(sorted.size() / 2) + ", min " + sorted.get(0) + ", max " + sorted.get(sorted.size() - 1)
                + "; first three (they start the service): " + times.subList(0, 3));
    }

    private static List<Map<String, Object>> parseFiles(String json) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            assertEquals("files", p.nextFieldName());
            assertEquals(JsonToken.START_ARRAY, p.nextToken());
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Map<String, Object> m = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    m.put(name, v == JsonToken.VALUE_NULL ? null
                            : v == JsonToken.VALUE_NUMBER_INT ? (Object) p.getLongValue() : p.getText());
                }
                out.add(m);
            }
        }
        return out;
    }

    @Test
    @Order(2)
    void statusMatchesTheKernel() throws IOException {
        DaemonProcess d = DaemonProcess.shell("exec " + Sh.q(DaemonProcess.LAUNCHER.toString()) + " status --json",
                true);
        assertEquals(0, d.awaitExit(START), d.log());
        List<Map<String, Object>> entries = parseFiles(d.stdout());
        assertEquals(FILES, entries.size(), d.stdout());
        for (int i = 0; i < FILES; i++) {
            String path = file(i).toString();
            Map<String, Object> e = entries.stream().filter(m -> path.equals(m.get("path"))).findFirst()
                    .orElseThrow(() -> new AssertionError(path + " not in " + d.stdout()));
            FileStat st = Posix.stat(path);
            List<Region> regions = Kernel.group(file(i), group(i));
            assertEquals(group(i), e.get("group_id"), path);
            assertEquals(st.device(), e.get("device"), path);
            assertEquals(st.ino(), e.get("inode"), path);
            assertEquals("inode", e.get("mode"), path);
            assertEquals((long) regions.size(), e.get("regions"), path);
            assertEquals(2L, e.get("regions"), path + " was grown once");
            assertTrue((Long) e.get("updates") >= 1, path);
            assertTrue(e.get("last_update") instanceof String, path);
            assertEquals(null, e.get("last_error"), path);
        }
        DaemonProcess table = DaemonProcess.shell("exec " + Sh.q(DaemonProcess.LAUNCHER.toString()) + " status", true);
        assertEquals(0, table.awaitExit(START), table.log());
        String[] lines = table.stdout().split("\n");
        assertEquals(FILES + 1, lines.length, table.stdout());
        assertTrue(lines[0].startsWith("MODE"), lines[0]);
        assertTrue(lines[1].endsWith(" " + file(0)) || table.stdout().contains(" " + file(0) + "\n"), table.stdout());
    }

    @Test
    @Order(3)
    void aNonRootPeerIsRefused() throws IOException {
        String asNobody = "exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "
                + Sh.q(DaemonProcess.LAUNCHER.toString()) + " status";
        // the socket's mode keeps it out
        DaemonProcess d = DaemonProcess.shell(asNobody, true);
        assertEquals(1, d.awaitExit(START), d.log());
        assertTrue(d.stderr().contains("permission denied: only root may use the dmfilemapd service"), d.stderr());
        // and were the mode wider, the service itself refuses it by its credentials
        Path socket = ServicePaths.socket();
        sh("chmod 0666 " + socket);
        try {
            DaemonProcess wide = DaemonProcess.shell(asNobody, true);
            assertEquals(1, wide.awaitExit(START), wide.log());
            assertTrue(wide.stderr().contains("permission denied: only root may use the dmfilemapd service"),
                    wide.stderr());
            Kernel.await("the refusal in the service's log", EXIT,
                    () -> Service.log().contains("(uid 65534, gid 65534): only root may use the service."));
        } finally {
            sh("chmod 0600 " + socket);
        }
        assertEquals(FILES, Service.status().size());
    }

    private static String refusal(byte[] data, int... fds) throws Exception {
        try (UnixSocket s = UnixSocket.connect(ServicePaths.socket().toString())) {
            s.sendRaw(data, fds);
            UnixSocket.Message m = s.receive(HandoverServerTimeout.MS + 10_000);
            Reply r = Wire.decodeReply(m.data());
            assertTrue(r instanceof Reply.Refused, r.toString());
            return ((Reply.Refused) r).message();
        }
    }

    /** The service's time limit for a request ({@code HandoverServer.REQUEST_TIMEOUT_MS}). */
    private static final class HandoverServerTimeout {
        static final int MS = 5000;
    }

    private static long openFds(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.count();
        }
    }

    @Test
    @Order(4)
    void malformedAndOversizedRequestsLeaveTheMonitorsIntact() throws Exception {
        long pid = Service.pid().orElseThrow();
        long fdsBefore = openFds(pid);
        int fd = Posix.openReadOnly(file(0).toString());
        try {
            byte[] monitor = Wire.encode(new Request.Monitor(group(0), file(0).toString(), Mode.INODE, false, 0));
            assertEquals("malformed request: not a dmfilemapd message",
                    refusal("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), fd));
            assertEquals("refused: request longer than " + UnixSocket.MAX_MESSAGE + " bytes",
                    refusal(new byte[UnixSocket.MAX_MESSAGE + 100], fd));
            assertEquals("refused: more than one file descriptor with the request", refusal(monitor, fd, fd));
            assertEquals("malformed request: no file descriptor came with the hand-over", refusal(monitor));
            assertEquals("malformed request: message truncated",
                    refusal(java.util.Arrays.copyOf(monitor, monitor.length - 3), fd));
            byte[] v9 = monitor.clone();
            v9[4] = 9;
            assertEquals("malformed request: protocol version 9, this side speaks " + Wire.VERSION, refusal(v9, fd));
            assertEquals("malformed request: unexpected file descriptor", refusal(Wire.encode(new Request.Status()), fd));
            // a well-formed hand-over of a file already monitored: refused by its group lock
            assertTrue(refusal(monitor, fd).contains("is already monitored by pid " + pid));
            // a client that says nothing is dropped after the service's time limit
            try (UnixSocket silent = UnixSocket.connect(ServicePaths.socket().toString())) {
                Reply r = Wire.decodeReply(silent.receive(HandoverServerTimeout.MS + 10_000).data());
                assertEquals(new Reply.Refused("refused: no request within " + HandoverServerTimeout.MS + " ms"), r);
            }
        } finally {
            Posix.close(fd);
        }
        assertTrue(Service.log().contains("Refused a malformed request from pid " + ProcessHandle.current().pid()));
        Kernel.await("the service to close what it was sent", EXIT, () -> {
            try {
                return openFds(pid) == fdsBefore;
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(pid, Service.pid().orElseThrow());
        assertEquals(FILES, Service.status().size());
        growAll(List.of(0, FILES - 1));
    }

    @Test
    @Order(5)
    void foregroundHandOversEndWithTheirMonitorsStatus() throws IOException {
        Path f = fragmentable("fg.img", 4);
        long g = Kernel.createGroup(f, false, null, "fg");
        try (DaemonProcess d = DaemonProcess.startInService(f, g, "inode", true, 1)) {
            Service.awaitMonitored(f, g, START);
            Kernel.await("the waiting command to close its copy of the fd", EXIT,
                    () -> !Jsvc.holdsFile(d.pid(), f.toString()));
            sh("fallocate -o 64M -l 4M " + f);
            Kernel.awaitInSync(f, g, SYNC);
            Kernel.deleteGroup(f, g, true);
            assertEquals(0, d.awaitExit(EXIT), d.log());
            assertTrue(d.stdout().contains("Filemap group removed: exiting."), d.log());
        }
        // path mode, the path gone for good: status 1, the monitor's error
        Path p = fragmentable("fgpath.img", 4);
        long gp = Kernel.createGroup(p, false, null, "fgpath");
        try (DaemonProcess d = DaemonProcess.startInService(p, gp, "path", true, 0)) {
            Service.awaitMonitored(p, gp, START);
            Files.delete(p);
            assertEquals(1, d.awaitExit(EXIT), d.log());
            assertTrue(d.stderr().contains("Could not re-open file descriptor.\nExiting"), d.stderr());
        }
        // SIGTERM to the waiting command: that monitor stops, regions kept, status 0
        Path t = fragmentable("fgterm.img", 4);
        long gt = Kernel.createGroup(t, false, null, "fgterm");
        try (DaemonProcess d = DaemonProcess.startInService(t, gt, "inode", true, 0)) {
            Service.awaitMonitored(t, gt, START);
            List<Region> before = Kernel.group(t, gt);
            sh("kill -TERM " + d.pid());
            assertEquals(0, d.awaitExit(EXIT), d.log());
            Service.awaitNotMonitored(t, gt, EXIT);
            assertEquals(before, Kernel.group(t, gt));
        }
        assertEquals(FILES, Service.status().size());
    }

    @Test
    @Order(6)
    void sighupRestartReadoptsAllFifty() throws IOException {
        long first = Service.pid().orElseThrow();
        long controller = Jsvc.ppid(first);
        // inode mode follows a rename; the restart must find the file where it is now
        Path moved = file(0).resolveSibling("f0.moved.img");
        Files.move(file(0), moved);
        files.set(0, moved);
        Sh.run("kill -HUP " + first);
        Jsvc.awaitGone(first, EXIT);
        // jsvc restarts the JVM at once, or 60 s after the previous start
        Kernel.await("a new service JVM under the same controller that monitors " + FILES + " files", RESTART, () -> {
            long now = Service.pid().orElse(first);
            try {
                return now != first && Jsvc.ppid(now) == controller && Service.status().size() == FILES;
            } catch (IOException e) {
                return false;
            }
        });
        assertTrue(Service.log().contains("Re-adopted " + FILES + " of " + FILES + " file(s)."), Service.log());
        assertEquals(moved.toString(), Service.of(moved, group(0)).orElseThrow().path());
        growAll(range(0, FILES));
    }

    @Test
    @Order(7)
    void stopAndStartReadoptsWhatItCanAndSaysWhyNot() throws IOException {
        Service.stop(EXIT);
        assertEquals(FILES, Service.savedState().size(), "the state a stop leaves");
        Kernel.deleteGroup(file(1), group(1), true);
        sh("mv " + file(2) + " " + file(2) + ".old && fallocate -l 1M " + file(2));
        Files.delete(file(3));
        // the next hand-over starts the service again
        Path extra = fragmentable("extra.img", 4);
        long gx = Kernel.createGroup(extra, false, null, "extra");
        try (DaemonProcess d = DaemonProcess.startInService(extra, gx, "inode", false, 0)) {
            assertEquals(0, d.awaitExit(START), d.log());
        }
        assertTrue(Service.monitors(extra, gx));
        assertEquals(FILES - 3 + 1, Service.status().size());
        String log = Service.log();
        assertTrue(log.contains("Cannot re-adopt \"" + file(1) + "\" (inode mode, group " + group(1)), log);
        // (the new file's group may have taken the deleted group's id: then it is not file 1's either)
        assertTrue(log.contains("no such group on device") || log.contains("group " + group(1) + " on device "
                + Posix.stat(file(0).toString()).device() + " maps none of the file's blocks now"), log);
        assertTrue(log.contains("Cannot re-adopt \"" + file(2) + "\"") && log.contains(
                "the path now names inode " + Posix.stat(file(2).toString()).ino() + ", not the monitored inode"), log);
        assertTrue(log.contains("Cannot re-adopt \"" + file(3) + "\"") && log.contains("cannot open it: open("
                + file(3) + "): No such file or directory"), log);
        assertTrue(log.contains("Re-adopted " + (FILES - 3) + " of " + FILES + " file(s)."), log);
        List<Integer> kept = range(4, FILES);
        kept.add(0);
        growAll(kept);
    }

    private DaemonProcess command(String args) throws IOException {
        return DaemonProcess.shell("exec " + Sh.q(DaemonProcess.LAUNCHER.toString()) + " " + args, true);
    }

    @Test
    @Order(8)
    void forgetStopsOneFileAndRefusesAnAmbiguousGroup() throws IOException {
        int a = 0;
        int b = FILES / 2; // the first files of each device: both group 0
        assertEquals(group(a), group(b));
        FileStat sb = Posix.stat(file(b).toString());
        int before = Service.status().size();
        DaemonProcess ambiguous = command("forget " + group(a));
        assertEquals(1, ambiguous.awaitExit(START), ambiguous.log());
        assertTrue(ambiguous.stderr().contains("group " + group(a) + " is monitored on 2 devices"), ambiguous.stderr());
        assertTrue(ambiguous.stderr().contains(sb.device() + ":" + group(b) + "  " + file(b)), ambiguous.stderr());
        assertEquals(before, Service.status().size(), "nothing forgotten");

        List<Region> regions = Kernel.group(file(b), group(b));
        DaemonProcess byDevice = command("forget " + sb.device() + ":" + group(b));
        assertEquals(0, byDevice.awaitExit(START), byDevice.log());
        assertTrue(byDevice.stdout().contains("No longer monitoring " + file(b)), byDevice.stdout());
        assertFalse(Service.monitors(file(b), group(b)));
        assertEquals(regions, Kernel.group(file(b), group(b)), "regions kept");

        DaemonProcess byPath = command("forget " + file(4));
        assertEquals(0, byPath.awaitExit(START), byPath.log());
        assertFalse(Service.monitors(file(4), group(4)));
        DaemonProcess unknown = command("forget /no/such/file");
        assertEquals(1, unknown.awaitExit(START));
        assertTrue(unknown.stderr().contains("no monitored file is \"/no/such/file\""), unknown.stderr());
        assertEquals(before - 2, Service.status().size());
        assertNotEquals(0, Service.savedState().size());
        assertTrue(Service.savedState().stream().noneMatch(l -> l.endsWith(" " + file(4))), "forgotten: not saved");
        assertEquals(before - 2, Service.savedState().size(), "forgetting is saved");
    }
}
