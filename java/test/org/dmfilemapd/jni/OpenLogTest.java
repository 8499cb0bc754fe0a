package org.dmfilemapd.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's log as root opens it: appended, never through a symlink, only a regular file. */
class OpenLogTest {
    @TempDir
    Path dir;

    private static void write(int fd, String text) throws IOException {
        Files.writeString(Path.of("/proc/self/fd/" + fd), text, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void createsAndAppends() throws IOException {
        Path log = dir.resolve("dmfilemapd.log");
        int fd = Posix.openLog(log.toString());
        try {
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
        } finally {
            Posix.close(fd);
        }
        Files.writeString(log, "one\n");
        fd = Posix.openLog(log.toString());
        try {
            write(fd, "two\n");
        } finally {
            Posix.close(fd);
        }
        assertEquals("one\ntwo\n", Files.readString(log));
    }

    @Test
    void refusesASymlink() throws IOException {
        Path target = Files.writeString(dir.resolve("precious"), "keep");
        Path log = Files.createSymbolicLink(dir.resolve("dmfilemapd.log"), target);
        NativeIoException e = assertThrows(NativeIoException.class, () -> Posix.openLog(log.toString()));
        assertEquals(40, e.errno(), "ELOOP");
        assertEquals("keep", Files.readString(target));
    }

    @Test
    void refusesAFifoWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // no reader: a blocking open for writing would hang; O_NONBLOCK fails with ENXIO
        NativeIoException e = assertThrows(NativeIoException.class, () -> Posix.openLog(fifo.toString()));
        assertEquals(6, e.errno(), "ENXIO");
        Path dev = Path.of("/dev/null");
        e = assertThrows(NativeIoException.class, () -> Posix.openLog(dev.toString()));
        assertEquals(22, e.errno(), "EINVAL: not a regular file");
    }
}
