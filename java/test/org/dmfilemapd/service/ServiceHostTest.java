package org.dmfilemapd.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonController;
import org.apache.commons.daemon.DaemonInitException;
import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Request;
import org.dmfilemapd.handover.Wire;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.jni.UnixSocket;
import org.dmfilemapd.sys.Pidfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The service in this JVM, in a temporary run directory, without device-mapper: everything
 * but monitoring itself (the dm lane's ServiceTest does that): one service per directory,
 * refusals of foreign peers and bad requests, status and forget with nothing monitored,
 * re-adoption failures logged, the socket removed at the end.
 */
class ServiceHostTest {
    @TempDir
    Path run;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private DmfilemapdService service;

    private static DaemonContext context() {
        return new DaemonContext() {
            @Override
            public DaemonController getController() {
                return null;
            }

            @Override
            public String[] getArguments() {
                return new String[] {"1"};
            }
        };
    }

    @BeforeEach
    void runDirectory() {
        System.setProperty(Pidfile.DIR_PROPERTY, run.toString());
        logged.start();
        Logger log = (Logger) LoggerFactory.getLogger("dmfilemapd.service");
        log.setLevel(ch.qos.logback.classic.Level.INFO);
        log.addAppender(logged);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop();
            service.destroy();
        }
        Logger log = (Logger) LoggerFactory.getLogger("dmfilemapd.service");
        log.detachAppender(logged);
        log.setLevel(null);
        System.clearProperty(Pidfile.DIR_PROPERTY);
    }

    private void startService() throws DaemonInitException {
        service = new DmfilemapdService();
        service.init(context());
        service.start();
    }

    private String logText() {
        StringBuilder sb = new StringBuilder();
        for (ILoggingEvent e : List.copyOf(logged.list)) {
            sb.append(e.getFormattedMessage()).append('\n');
        }
        return sb.toString();
    }

    private static Reply ask(byte[] data, int... fds) throws Exception {
        try (UnixSocket s = UnixSocket.connect(ServicePaths.socket().toString())) {
            s.sendRaw(data, fds);
            return Wire.decodeReply(s.receive(10_000).data());
        }
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** The fd count once the last answered connection was closed (two looks 50 ms apart agree). */
    private static long settledOpenFds() throws Exception {
        long n = openFds();
        for (int i = 0; i < 100; i++) {
            Thread.sleep(50);
            long m = openFds();
            if (m == n) {
                return n;
            }
            n = m;
        }
        return n;
    }

    /** The service closes each connection just after its answer: poll (every 10 ms) for the count to settle. */
    private static void awaitOpenFds(long expected, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (openFds() != expected && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(expected, openFds(), what);
    }

    @Test
    void oneServicePerHost() throws Exception {
        startService();
        DmfilemapdService second = new DmfilemapdService();
        DaemonInitException e = assertThrows(DaemonInitException.class, () -> second.init(context()));
        assertEquals("the dmfilemapd service already runs (pid " + ProcessHandle.current().pid() + ")", e.getMessage());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ServicePaths.socket())));
    }

    @Test
    void statusAndForgetWithNothingMonitored() throws Exception {
        startService();
        assertEquals(new Reply.StatusEnd(0), ask(Wire.encode(new Request.Status())));
        assertEquals(new Reply.Refused("no monitored file is \"/srv/x.img\""),
                ask(Wire.encode(new Request.Forget("/srv/x.img"))));
        assertEquals(new Reply.Refused("no monitored file is device:group 253:1:7"),
                ask(Wire.encode(new Request.Forget("253:1:7"))));
        assertEquals(new Reply.Refused("forget takes an absolute path, a group id or major:minor:group, not \"x y\""),
                ask(Wire.encode(new Request.Forget("x y"))));
        assertEquals(new Reply.Refused("stop is only for the connection of a foreground hand-over"),
                ask(Wire.encode(new Request.Stop())));
    }

    @Test
    void aFileNotOnDeviceMapperIsRefusedAndItsFdClosed() throws Exception {
        startService();
        Path f = Files.writeString(run.resolve("plain"), "x");
        int fd = Posix.openReadOnly(f.toString());
        ask(Wire.encode(new Request.Monitor(0, f.toString(), Mode.INODE, false, 0)), fd); // what it opens once
        long before = settledOpenFds();
        try {
            Reply r = ask(Wire.encode(new Request.Monitor(0, f.toString(), Mode.INODE, false, 0)), fd);
            assertTrue(r instanceof Reply.Refused, r.toString());
            assertTrue(((Reply.Refused) r).message().contains("not on a device-mapper device"), r.toString());
        } finally {
            Posix.close(fd);
        }
        awaitOpenFds(before - 1, "the service closed its copy");
        assertTrue(logText().contains("Refused \"" + f + "\" (group 0) from pid " + ProcessHandle.current().pid()),
                logText());
    }

    @Test
    void badRequestsAreRefusedWithTheirReason() throws Exception {
        startService();
        Path f = Files.writeString(run.resolve("plain"), "x");
        int fd = Posix.openReadOnly(f.toString());
        ask(Wire.encode(new Request.Monitor(0, f.toString(), Mode.INODE, false, 0)), fd); // what it opens once
        long before = settledOpenFds();
        try {
            byte[] monitor = Wire.encode(new Request.Monitor(0, f.toString(), Mode.INODE, false, 0));
            assertEquals(new Reply.Refused("malformed request: not a dmfilemapd message"),
                    ask("hello".getBytes(StandardCharsets.US_ASCII), fd));
            assertEquals(new Reply.Refused("refused: request longer than 8192 bytes"), ask(new byte[9000], fd));
            assertEquals(new Reply.Refused("refused: more than one file descriptor with the request"),
                    ask(monitor, fd, fd));
            assertEquals(new Reply.Refused("malformed request: no file descriptor came with the hand-over"),
                    ask(monitor));
        } finally {
            Posix.close(fd);
        }
        awaitOpenFds(before - 1, "every fd sent was closed by the service");
        assertTrue(logText().contains("Refused a malformed request from pid " + ProcessHandle.current().pid()
                + ": not a dmfilemapd message."), logText());
        assertEquals(new Reply.StatusEnd(0), ask(Wire.encode(new Request.Status())), "still serving");
    }

    @Test
    void aNonRootPeerIsRefusedByItsCredentials() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs python3 and setpriv for a non-root client");
        startService();
        // let uid 65534 reach the socket, to see that the service itself refuses it
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(ServicePaths.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
        String client = "import socket,sys\n"
                + "s=socket.socket(socket.AF_UNIX,socket.SOCK_SEQPACKET)\n"
                + "s.connect(sys.argv[1])\n"
                + "sys.stdout.write(s.recv(9000).hex())\n";
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                python.toString(), "-c", client, ServicePaths.socket().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(new Reply.Refused("permission denied: only root may use the dmfilemapd service"),
                Wire.decodeReply(HexFormat.of().parseHex(out)));
        assertTrue(logText().contains("(uid 65534, gid 65534): only root may use the service."), logText());
    }

    @Test
    void savedFilesThatCannotBeReadoptedAreLoggedWithTheReason() throws Exception {
        Path elsewhere = Files.writeString(run.resolve("elsewhere.img"), "x");
        new StateFile(run.resolve("state")).write(List.of(
                new AdoptedFile("/no/such/dir/vm.img", Mode.INODE, 253, 0, 131, 0, 0),
                new AdoptedFile(elsewhere.toString(), Mode.PATH, 253, 99, 7, 3, 1)));
        String dev = Posix.stat(elsewhere.toString()).device();
        startService();
        String log = logText();
        assertTrue(log.contains("Cannot re-adopt \"/no/such/dir/vm.img\" (inode mode, group 0 on device 253:0, inode"
                + " 131): cannot open it: open(/no/such/dir/vm.img): No such file or directory"), log);
        assertTrue(log.contains("Cannot re-adopt \"" + elsewhere + "\" (path mode, group 3 on device 253:99, inode 7):"
                + " the path is on device " + dev + ", not on the monitored device 253:99"), log);
        assertTrue(log.contains("Re-adopted 0 of 2 file(s)."), log);
        assertEquals(List.of(StateFile.HEADER), Files.readAllLines(run.resolve("state")), "what is monitored now");
    }

    @Test
    void aFifoADeviceNodeOrADirectoryAtASavedPathIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = run.resolve("fifo.img");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path dir = Files.createDirectory(run.resolve("dir.img"));
        Path link = Files.createSymbolicLink(run.resolve("null.img"), Path.of("/dev/null"));
        var here = Posix.stat(run.toString());
        var nul = Posix.stat("/dev/null");
        new StateFile(run.resolve("state")).write(List.of(
                new AdoptedFile(fifo.toString(), Mode.PATH, here.devMajor(), here.devMinor(), 7, 1, 1),
                new AdoptedFile(dir.toString(), Mode.PATH, here.devMajor(), here.devMinor(), 8, 2, 1),
                new AdoptedFile(link.toString(), Mode.PATH, nul.devMajor(), nul.devMinor(), nul.ino(), 3, 1)));
        // a blocking open of the FIFO would never return: the start must not wait for a writer
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), this::startService);
        String log = logText();
        assertTrue(log.contains("Cannot re-adopt \"" + fifo + "\" (path mode, group 1 on device " + here.device()
                + ", inode 7): the path is not a regular file (a FIFO)"), log);
        assertTrue(log.contains("Cannot re-adopt \"" + dir + "\" (path mode, group 2 on device " + here.device()
                + ", inode 8): the path is not a regular file (a directory)"), log);
        assertTrue(log.contains("Cannot re-adopt \"" + link + "\" (path mode, group 3 on device " + nul.device()
                + ", inode " + nul.ino() + "): the path is not a regular file (a character device)"), log);
        assertTrue(log.contains("Re-adopted 0 of 3 file(s)."), log);
        assertTrue(Files.exists(ServicePaths.socket()), "the service serves its socket");
    }

    @Test
    void theSocketGoesWithTheService() throws Exception {
        startService();
        assertTrue(Files.exists(ServicePaths.socket()));
        service.stop();
        service.destroy();
        service = null;
        assertFalse(Files.exists(ServicePaths.socket()));
        assertTrue(Files.exists(run.resolve("state")));
        startService(); // the lock was released: a new service may start
        assertEquals(new Reply.StatusEnd(0), ask(Wire.encode(new Request.Status())));
    }
}
