package org.dmfilemapd.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real sockets: a socketpair and a listening socket in a temporary directory. */
class UnixSocketTest {
    @TempDir
    Path dir;

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void aPassedFdIsTheSameOpenFile() throws IOException {
        Path file = Files.writeString(dir.resolve("data"), "x");
        UnixSocket[] p = UnixSocket.pair();
        int fd = Posix.openReadOnly(file.toString());
        try (UnixSocket a = p[0]; UnixSocket b = p[1]) {
            a.send("hello".getBytes(StandardCharsets.UTF_8), fd);
            UnixSocket.Message m = b.receive(1000);
            assertEquals("hello", new String(m.data(), StandardCharsets.UTF_8));
            assertTrue(m.fd() >= 0);
            assertNotEquals(fd, m.fd(), "a new descriptor in the receiver");
            assertTrue(Posix.fstat(m.fd()).sameFile(Posix.fstat(fd)));
            assertEquals(file.toString(), Posix.readlink("/proc/self/fd/" + m.fd()));
            Posix.close(m.fd());
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void messagesKeepTheirBoundariesAndEndOfStreamIsNull() throws IOException {
        UnixSocket[] p = UnixSocket.pair();
        try (UnixSocket b = p[1]) {
            try (UnixSocket a = p[0]) {
                a.send(new byte[] {1, 2}, -1);
                a.send(new byte[] {3}, -1);
            }
            UnixSocket.Message first = b.receive(1000);
            assertArrayEquals(new byte[] {1, 2}, first.data());
            assertEquals(-1, first.fd());
            assertArrayEquals(new byte[] {3}, b.receive(1000).data());
            assertNull(b.receive(1000));
        }
    }

    @Test
    void peerCredentialsAreOurs() throws IOException {
        UnixSocket[] p = UnixSocket.pair();
        try (UnixSocket a = p[0]; UnixSocket b = p[1]) {
            assertEquals(b.peerCredentials(), a.peerCredentials());
            UnixSocket.PeerCredentials c = b.peerCredentials();
            assertEquals(ProcessHandle.current().pid(), c.pid());
            assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"), c.uid());
        }
    }

    @Test
    void receiveTimesOut() throws IOException {
        UnixSocket[] p = UnixSocket.pair();
        try (UnixSocket a = p[0]; UnixSocket b = p[1]) {
            assertTrue(a.fd() >= 0);
            NativeIoException e = assertThrows(NativeIoException.class, () -> b.receive(20));
            assertEquals(UnixSocket.EAGAIN, e.errno());
        }
    }

    @Test
    void anOversizedMessageIsDroppedWholeWithItsFd() throws IOException {
        Path file = Files.writeString(dir.resolve("data"), "x");
        UnixSocket[] p = UnixSocket.pair();
        int fd = Posix.openReadOnly(file.toString());
        try (UnixSocket a = p[0]; UnixSocket b = p[1]) {
            long before = openFds();
            a.sendRaw(new byte[UnixSocket.MAX_MESSAGE + 1], fd);
            a.send(new byte[] {7}, -1);
            NativeIoException e = assertThrows(NativeIoException.class, () -> b.receive(1000));
            assertEquals(UnixSocket.EMSGSIZE, e.errno());
            assertEquals(before, openFds(), "the fd that came with it was closed");
            assertArrayEquals(new byte[] {7}, b.receive(1000).data(), "the next message is intact");
        } finally {
            Posix.close(fd);
        }
        assertThrows(NativeIoException.class, () -> p[0].send(new byte[UnixSocket.MAX_MESSAGE + 1], -1));
    }

    @Test
    void twoFdsInOneMessageAreRefusedAndClosed() throws IOException {
        Path file = Files.writeString(dir.resolve("data"), "x");
        UnixSocket[] p = UnixSocket.pair();
        int fd = Posix.openReadOnly(file.toString());
        try (UnixSocket a = p[0]; UnixSocket b = p[1]) {
            long before = openFds();
            a.sendRaw(new byte[] {1}, fd, fd);
            NativeIoException e = assertThrows(NativeIoException.class, () -> b.receive(1000));
            assertEquals(UnixSocket.EBADMSG, e.errno());
            assertEquals(before, openFds());
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void listenCreatesAnOwnerOnlySocketAndAcceptsConnections() throws Exception {
        Path path = dir.resolve("s.sock");
        try (UnixSocket server = UnixSocket.listen(path.toString(), 4)) {
            assertEquals("rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            try (var ls = Files.list(dir)) {
                assertEquals(1, ls.count(), "no temporary name left behind");
            }
            try (UnixSocket client = UnixSocket.connect(path.toString()); UnixSocket conn = server.accept()) {
                assertEquals(ProcessHandle.current().pid(), conn.peerCredentials().pid());
                client.send(new byte[] {42}, -1);
                assertArrayEquals(new byte[] {42}, conn.receive(1000).data());
                conn.send(new byte[] {43}, -1);
                assertArrayEquals(new byte[] {43}, client.receive(1000).data());
            }
        }
    }

    @Test
    void shutdownWakesABlockedAccept() throws Exception {
        try (UnixSocket server = UnixSocket.listen(dir.resolve("s.sock").toString(), 4)) {
            CompletableFuture<Integer> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    server.accept().close();
                    return 0;
                } catch (NativeIoException e) {
                    return e.errno();
                }
            });
            // it may not have blocked yet: shutdown before accept fails it as well
            server.shutdown();
            assertEquals(UnixSocket.EINVAL, accepted.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aStaleSocketOfOursIsReplaced() throws IOException {
        Path path = dir.resolve("s.sock");
        UnixSocket.listen(path.toString(), 4).close(); // left behind, as by a killed service
        assertEquals(UnixSocket.ECONNREFUSED, assertThrows(NativeIoException.class,
                () -> UnixSocket.connect(path.toString())).errno());
        try (UnixSocket server = UnixSocket.listen(path.toString(), 4);
                UnixSocket client = UnixSocket.connect(path.toString())) {
            server.accept().close();
            assertNull(client.receive(1000), "the accepted end was closed");
        }
    }

    @Test
    void somethingElseAtThePathIsRefusedAndKept() throws IOException {
        Path path = Files.writeString(dir.resolve("s.sock"), "not a socket");
        NativeIoException e = assertThrows(NativeIoException.class, () -> UnixSocket.listen(path.toString(), 4));
        assertEquals(UnixSocket.EPERM, e.errno());
        assertEquals("not a socket", Files.readString(path));
    }

    @Test
    void aDirectoryOthersMayWriteIsRefused() throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        NativeIoException e = assertThrows(NativeIoException.class,
                () -> UnixSocket.listen(open.resolve("s.sock").toString(), 4));
        assertEquals(UnixSocket.EPERM, e.errno());
    }

    @Test
    void connectingToNothingSaysSo() {
        NativeIoException e = assertThrows(NativeIoException.class,
                () -> UnixSocket.connect(dir.resolve("none.sock").toString()));
        assertEquals(UnixSocket.ENOENT, e.errno());
    }
}
