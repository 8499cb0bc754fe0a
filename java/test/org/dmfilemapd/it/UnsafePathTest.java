package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What lands at a path-mode path must not stall the service: a FIFO, a symlink to a device
 * node and a directory renamed over a monitored file end that file's monitor with a message
 * within about 2 s, while another file in the same service keeps being kept in sync and no
 * service thread waits in the kernel for the FIFO; the same with a FIFO at the path when a
 * restarted service re-adopts. The tests run in order on one service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UnsafePathTest extends OnDmDevice {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration ENDS = Duration.ofMillis(2500);

    private Path other;
    private long otherGroup;
    private int grownBy;

    @BeforeAll
    void noService() throws IOException {
        Service.reset(EXIT);
    }

    @AfterAll
    void stopService() throws IOException {
        Service.reset(EXIT);
    }

    @Override
    void clean() {
        // the tests share the other file and the service, in order
    }

    private long handOver(Path f, String mode) throws IOException {
        long g = Kernel.createGroup(f, false, null, f.getFileName().toString());
        try (DaemonProcess d = DaemonProcess.startInService(f, g, mode, false, 0)) {
            assertEquals(0, d.awaitExit(START), f + ":\n" + d.log());
        }
        assertTrue(Service.monitors(f, g), f + " monitored");
        return g;
    }

    private static boolean monitors(FileStat st, long g) {
        return Service.status().stream()
                .anyMatch(s -> s.devMajor() == st.devMajor() && s.devMinor() == st.devMinor() && s.groupId() == g);
    }

    /** Grows the other file past its spacer and waits until its group maps it again. */
    private void otherKeepsBeingUpdated() throws IOException {
        grownBy++;
        sh("fallocate -o " + (4 + grownBy) + "M -l 1M " + other);
        Kernel.awaitInSync(other, otherGroup, SYNC);
    }

    /** Every thread of the service, and where in the kernel it waits. */
    private static List<String> threadWaits() throws IOException {
        long pid = Service.pid().orElseThrow();
        List<String> waits = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                String where = read(t.resolve("wchan")) + " " + read(t.resolve("stack")).replace('\n', ' ');
                waits.add(t.getFileName() + " " + read(t.resolve("comm")).trim() + ": " + where);
            }
        }
        return waits;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return ""; // the thread ended meanwhile
        }
    }

    private static void noThreadWaitsForAFifo() throws IOException {
        List<String> waits = threadWaits();
        for (String w : waits) {
            assertTrue(!w.contains("fifo") && !w.contains("wait_for_partner") && !w.contains("pipe_"),
                    "a service thread blocked in the kernel: " + w + "\n" + String.join("\n", waits));
        }
    }

    /** Runs {@code make} (@: a temporary name, %: the file's path) to put something else at a path-mode file's path; its monitor must end, with {@code message}. */
    private void swapIn(String name, String make, String message) throws IOException {
        Path f = fragmentable(name, 4);
        long g = handOver(f, "path");
        FileStat before = Posix.stat(f.toString());
        Path tmp = dev.file(name + ".new");
        sh(make.replace("@", tmp.toString()).replace("%", f.toString()));
        long t0 = System.nanoTime();
        Kernel.await("the monitor of " + f + " to end", ENDS, () -> !monitors(before, g));
        long ms = (System.nanoTime() - t0) / MS;
        String expected = "Replacement file \"" + f + "\" " + message + ": exiting.";
        Kernel.await("the service log to say why " + f + " is no longer monitored", ENDS,
                () -> Service.log().contains(expected));
        System.out.println(name + ": monitor ended " + ms + " ms after the swap");
        otherKeepsBeingUpdated();
        noThreadWaitsForAFifo();
    }

    @Test
    @Order(1)
    void anotherFileInPathMode() throws IOException {
        other = fragmentable("other.img", 4);
        otherGroup = handOver(other, "path");
        otherKeepsBeingUpdated();
    }

    @Test
    @Order(2)
    void aFifoSwappedInEndsOnlyItsMonitor() throws IOException {
        swapIn("fifo.img", "mkfifo @ && mv -T @ %", "is not a regular file (a FIFO)");
    }

    @Test
    @Order(3)
    void aSymlinkToADeviceNodeSwappedInIsNotOpened() throws IOException {
        swapIn("dev.img", "ln -s " + dev.mapper + " @ && mv -T @ %", "is not a regular file (a block device)");
    }

    @Test
    @Order(4)
    void aDirectorySwappedInEndsOnlyItsMonitor() throws IOException {
        // a directory cannot be renamed over a file: the file is unlinked and a directory made at its path
        swapIn("dir.img", "rm % && mkdir %", "is not a regular file (a directory)");
    }

    @Test
    @Order(5)
    void aFifoAtASavedPathDoesNotHoldUpTheRestart() throws IOException {
        Path f = fragmentable("saved.img", 4);
        long g = handOver(f, "path");
        Service.stop(EXIT);
        sh("rm " + f + " && mkfifo " + f);
        // the next hand-over starts the service, which re-adopts first
        Path next = fragmentable("next.img", 4);
        long t0 = System.nanoTime();
        handOver(next, "path");
        System.out.println("hand-over that restarted the service: " + (System.nanoTime() - t0) / MS + " ms");
        String log = Service.log();
        assertTrue(log.contains("Cannot re-adopt \"" + f + "\" (path mode, group " + g + " on device "), log);
        assertTrue(log.contains("the path is not a regular file (a FIFO)"), log);
        assertTrue(Service.monitors(other, otherGroup), "the other file re-adopted");
        otherKeepsBeingUpdated();
        noThreadWaitsForAFifo();
    }
}
