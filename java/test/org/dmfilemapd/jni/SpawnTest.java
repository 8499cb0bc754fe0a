package org.dmfilemapd.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpawnTest {
    private static final String SH = "/bin/sh";
    private static final String[] ENV = {"PATH=/usr/bin:/bin"};
    private static final int ECHILD = 10;

    @TempDir
    Path dir;

    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void closeFds() throws NativeIoException {
        for (int fd : fds) {
            Posix.close(fd);
        }
    }

    private int openFile(String name) throws IOException {
        Path f = Files.writeString(dir.resolve(name), name);
        int fd = Posix.openReadOnly(f.toString());
        fds.add(fd);
        return fd;
    }

    /** Runs {@code sh -c script} and returns its exit status. */
    private static int sh(String script, int keepFd, String cwd, boolean newSession, boolean nullStdio)
            throws NativeIoException {
        int pid = Spawn.spawn(SH, new String[] {"sh", "-c", script}, ENV, keepFd, cwd, newSession, nullStdio);
        assertTrue(pid > 0, "pid " + pid);
        OptionalInt status = Spawn.waitFor(pid, true);
        assertTrue(status.isPresent(), "a blocking wait returns a status");
        return status.getAsInt();
    }

    private static int sh(String script) throws NativeIoException {
        return sh(script, -1, null, false, false);
    }

    private static String fdPath(int fd) {
        return "/proc/$$/fd/" + fd;
    }

    @Test
    void exitStatusIsReported() throws NativeIoException {
        assertEquals(0, sh("exit 0"));
        assertEquals(7, sh("exit 7"));
    }

    @Test
    void killedBySignalIs128PlusSignal() throws NativeIoException {
        assertEquals(128 + 9, sh("kill -9 $$"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void keepsExactlyTheGivenFd(boolean keepLower) throws IOException {
        int a = openFile("a");
        int b = openFile("b");
        int keep = keepLower ? Math.min(a, b) : Math.max(a, b);
        int drop = keepLower ? Math.max(a, b) : Math.min(a, b);
        String script = "test -e " + fdPath(keep) + " && ! test -e " + fdPath(drop);
        assertEquals(0, sh(script, keep, null, false, false));
        assertTrue(Posix.isOpen(keep), "the parent's fd stays open");
        assertTrue(Posix.isOpen(drop));
    }

    @Test
    void keptFdIsTheSameOpenFile() throws IOException {
        int fd = openFile("content");
        String target = dir.resolve("content").toRealPath().toString();
        assertEquals(0, sh("[ \"$(readlink " + fdPath(fd) + ")\" = '" + target + "' ]", fd, null, false, false));
    }

    @Test
    void noFdKeptClosesAllButStdio() throws IOException {
        int a = openFile("a");
        assertEquals(0, sh("! test -e " + fdPath(a) + " && test -e " + fdPath(2), -1, null, false, false));
    }

    @Test
    void fdsWithoutCloexecAreNotInherited() throws IOException {
        Path f = Files.writeString(dir.resolve("jdk"), "x");
        try (FileInputStream in = new FileInputStream(f.toFile())) {
            int leaky = fdOf(f);
            // the JDK opens files without O_CLOEXEC; spawn must close them anyway
            String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + leaky)).stream()
                    .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
            assertEquals(0, Integer.parseInt(flags.substring(6).trim(), 8) & 02000000, "premise: " + flags);
            int kept = openFile("kept");
            assertEquals(0, sh("! test -e " + fdPath(leaky), kept, null, false, false));
            assertEquals(0, sh("! test -e " + fdPath(leaky), -1, null, false, false));
            assertEquals('x', in.read(), "the parent's stream is untouched");
        }
    }

    private static int fdOf(Path file) throws IOException {
        String target = file.toRealPath().toString();
        try (var links = Files.list(Path.of("/proc/self/fd"))) {
            for (Path link : (Iterable<Path>) links::iterator) {
                try {
                    if (Files.readSymbolicLink(link).toString().equals(target)) {
                        return Integer.parseInt(link.getFileName().toString());
                    }
                } catch (IOException e) {
                    // the directory stream's own fd, gone by now
                }
            }
        }
        throw new AssertionError("no fd for " + target);
    }

    @Test
    void environmentIsExactlyEnvp() throws NativeIoException {
        int pid = Spawn.spawn(SH, new String[] {"sh", "-c", "[ \"$FOO\" = bar ] && [ -z \"${HOME+set}\" ]"},
                new String[] {"FOO=bar"}, -1, null, false, false);
        assertEquals(OptionalInt.of(0), Spawn.waitFor(pid, true));
    }

    private static String ourSession() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        // after "pid (comm) ": state ppid pgrp session
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3];
    }

    private static final String SESSION_IS = "read -r _ _ _ _ _ sid _ < /proc/$$/stat && [ \"$sid\" = ";

    @Test
    void newSessionMakesTheChildASessionLeader() throws IOException {
        assertEquals(0, sh(SESSION_IS + "$$ ]", -1, null, true, false));
        assertEquals(0, sh(SESSION_IS + ourSession() + " ]", -1, null, false, false));
        assertNotEquals(0, sh(SESSION_IS + "$$ ]", -1, null, false, false));
    }

    @Test
    void startsInTheGivenDirectory() throws IOException {
        assertEquals(0, sh("[ \"$PWD\" = / ]", -1, "/", false, false));
        String real = dir.toRealPath().toString();
        assertEquals(0, sh("[ \"$(pwd -P)\" = '" + real + "' ]", -1, real, false, false));
    }

    @Test
    void missingDirectoryFailsTheSpawn() {
        NativeIoException e = assertThrows(NativeIoException.class,
                () -> sh("exit 0", -1, dir.resolve("missing").toString(), false, false));
        assertEquals(Posix.ENOENT, e.errno());
    }

    @Test
    void nullStdioIsDevNull() throws NativeIoException {
        String script = "for fd in 0 1 2; do [ \"$(readlink /proc/$$/fd/$fd)\" = /dev/null ] || exit 1; done";
        assertEquals(0, sh(script, -1, null, false, true));
    }

    @Test
    void nullStdioKeepsTheKeptFd() throws IOException {
        int fd = openFile("kept");
        String script = "test -e " + fdPath(fd) + " && [ \"$(readlink /proc/$$/fd/1)\" = /dev/null ]";
        assertEquals(0, sh(script, fd, null, true, true));
    }

    @Test
    void missingProgramIsEnoent() {
        NativeIoException e = assertThrows(NativeIoException.class, () -> Spawn.spawn(
                dir.resolve("nope").toString(), new String[] {"nope"}, ENV, -1, null, false, true));
        assertEquals(Posix.ENOENT, e.errno());
    }

    @Test
    void nonBlockingWaitOnARunningChildIsEmpty() throws Exception {
        // sleep only keeps the child alive until it is killed; nothing waits on it
        int pid = Spawn.spawn("/bin/sleep", new String[] {"sleep", "60"}, ENV, -1, null, false, true);
        try {
            assertEquals(OptionalInt.empty(), Spawn.waitFor(pid, false));
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertEquals(OptionalInt.of(128 + 9), Spawn.waitFor(pid, true));
    }

    @Test
    void waitingTwiceIsEchild() throws NativeIoException {
        int pid = Spawn.spawn(SH, new String[] {"sh", "-c", "exit 3"}, ENV, -1, null, false, true);
        assertEquals(OptionalInt.of(3), Spawn.waitFor(pid, true));
        NativeIoException e = assertThrows(NativeIoException.class, () -> Spawn.waitFor(pid, true));
        assertEquals(ECHILD, e.errno());
        assertFalse(e.getMessage().isEmpty());
    }
}
