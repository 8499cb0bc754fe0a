package org.dmfilemapd.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.regions.Extent;
import org.dmfilemapd.regions.ExtentMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixTest {
    private static final int EOPNOTSUPP = 95;

    @TempDir
    Path dir;

    private final List<Integer> fds = new ArrayList<>();

    private int open(Path file) throws NativeIoException {
        int fd = Posix.openReadOnly(file.toString());
        fds.add(fd);
        return fd;
    }

    @AfterEach
    void closeFds() {
        for (int fd : fds) {
            if (Posix.isOpen(fd)) {
                try {
                    Posix.close(fd);
                } catch (NativeIoException e) {
                    // already reported by the test itself
                }
            }
        }
    }

    private Path file(String name, int size) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, new byte[size]);
        return f;
    }

    @Test
    void fstatOfARegularFile() throws IOException {
        Path f = file("data", 12345);
        int fd = open(f);
        assertTrue(fd > 2, "fd " + fd);
        FileStat st = Posix.fstat(fd);
        assertTrue(st.isRegularFile());
        assertEquals(12345, st.size());
        assertEquals(1, st.nlink());
    }

    @Test
    void fstatSeesNewHardLinks() throws IOException {
        Path f = file("data", 1);
        int fd = open(f);
        Files.createLink(dir.resolve("link"), f);
        assertEquals(2, Posix.fstat(fd).nlink());
        Files.delete(f);
        Files.delete(dir.resolve("link"));
        assertEquals(0, Posix.fstat(fd).nlink());
    }

    @Test
    void statAndFstatAgree() throws IOException {
        Path f = file("data", 4096);
        FileStat byFd = Posix.fstat(open(f));
        FileStat byPath = Posix.stat(f.toString());
        assertEquals(byFd, byPath);
        assertTrue(byFd.sameFile(byPath));
        assertTrue(byFd.sameDevice(byPath));
        assertEquals(byFd.devMajor() + ":" + byFd.devMinor(), byFd.device());
    }

    @Test
    void differentFilesAreNotTheSame() throws IOException {
        FileStat a = Posix.stat(file("a", 1).toString());
        FileStat b = Posix.stat(file("b", 1).toString());
        assertFalse(a.sameFile(b));
        assertTrue(a.sameDevice(b));
        assertFalse(a.sameFile(null));
    }

    @Test
    void directoryIsNotARegularFile() throws NativeIoException {
        assertFalse(Posix.stat(dir.toString()).isRegularFile());
    }

    @Test
    void statOfAMissingPathIsEnoent() {
        String missing = dir.resolve("missing").toString();
        NativeIoException e = assertThrows(NativeIoException.class, () -> Posix.stat(missing));
        assertEquals(Posix.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("No such file"), e.getMessage());
        assertTrue(e.getMessage().contains(missing), e.getMessage());
    }

    @Test
    void openOfAMissingPathIsEnoent() {
        NativeIoException e = assertThrows(NativeIoException.class,
                () -> Posix.openReadOnly(dir.resolve("missing").toString()));
        assertEquals(Posix.ENOENT, e.errno());
    }

    @Test
    void closeTwiceIsEbadf() throws IOException {
        int fd = open(file("data", 1));
        assertTrue(Posix.isOpen(fd));
        Posix.close(fd);
        assertFalse(Posix.isOpen(fd));
        NativeIoException e = assertThrows(NativeIoException.class, () -> Posix.close(fd));
        assertEquals(Posix.EBADF, e.errno());
        assertTrue(e.getMessage().startsWith("close(" + fd + "): "), e.getMessage());
    }

    @Test
    void fstatOfAClosedFdIsEbadf() throws IOException {
        int fd = open(file("data", 1));
        Posix.close(fd);
        assertEquals(Posix.EBADF, assertThrows(NativeIoException.class, () -> Posix.fstat(fd)).errno());
    }

    @Test
    void negativeFdIsNotOpen() {
        assertFalse(Posix.isOpen(-1));
    }

    @Test
    void readlinkOfOurFd() throws IOException {
        Path f = file("data", 1);
        int fd = open(f);
        assertEquals(f.toRealPath().toString(), Posix.readlink("/proc/self/fd/" + fd));
    }

    @Test
    void readlinkOfAMissingPathThrows() {
        NativeIoException e = assertThrows(NativeIoException.class,
                () -> Posix.readlink(dir.resolve("missing").toString()));
        assertEquals(Posix.ENOENT, e.errno());
    }

    /** FIEMAP rows of {@code fd}, or the test is skipped where the file system has no FIEMAP. */
    private static long[] fiemapOrSkip(int fd, boolean sync) throws NativeIoException {
        try {
            return Posix.fiemap(fd, sync);
        } catch (NativeIoException e) {
            assumeTrue(e.errno() != EOPNOTSUPP, "file system has no FIEMAP: " + e.getMessage());
            throw e;
        }
    }

    @Test
    void fiemapOfAWrittenFile() throws IOException {
        Path f = dir.resolve("data");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[64 * 1024]));
            ch.force(true);
        }
        long[] rows = fiemapOrSkip(open(f), true);
        assertTrue(rows.length > 0, "no extents");
        assertEquals(0, rows.length % 4);
        assertEquals(0, rows[0], "first extent is at logical 0");
        long total = 0;
        for (int i = 0; i < rows.length; i += 4) {
            assertTrue(rows[i + 2] > 0, "extent length");
            total += rows[i + 2];
        }
        assertTrue(total >= 64 * 1024, "mapped bytes " + total);
        assertNotEquals(0, rows[rows.length - 1] & Posix.FIEMAP_EXTENT_LAST, "last row has FIEMAP_EXTENT_LAST");
    }

    @Test
    void fiemapOfAnEmptyFileHasNoRows() throws IOException {
        int fd = open(file("empty", 0));
        assertEquals(0, fiemapOrSkip(fd, false).length);
        assertTrue(ExtentMap.read(fd).isEmpty());
    }

    @Test
    void extentMapReadAllocatesPendingData() throws IOException {
        // written but not synced: the map must still come back allocated (read syncs if needed)
        Path f = file("dirty", 32 * 1024);
        int fd = open(f);
        fiemapOrSkip(fd, false);
        ExtentMap map = ExtentMap.read(fd);
        assertFalse(map.pendingAllocation(), map.toString());
        assertFalse(map.isEmpty());
        long sectors = map.extents().stream().mapToLong(Extent::length).sum();
        assertTrue(sectors >= 64, "sectors " + sectors);
    }

    @Test
    void fiemapOfABadFdThrows() throws IOException {
        int fd = open(file("data", 1));
        Posix.close(fd);
        assertEquals(Posix.EBADF, assertThrows(NativeIoException.class, () -> Posix.fiemap(fd, false)).errno());
    }

    @Test
    void strerrorFromJava() {
        NativeIoException e = new NativeIoException("op", Posix.ENOENT, null);
        assertTrue(e.getMessage().startsWith("op: No such file"), e.getMessage());
        assertEquals("op", e.operation());
    }
}
