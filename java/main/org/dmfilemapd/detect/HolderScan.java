package org.dmfilemapd.detect;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;

/**
 * Finds another process that holds an inode open: every {@code /proc/<pid>/fd/<n>} is
 * stat'ed (the magic link reaches the inode even when it was unlinked) and compared by device
 * and inode, so renames before the unlink do not matter (the original compares the path text,
 * and its {@code /proc%d/fd} typo meant it never found anyone).
 *
 * <p>Our own process tree is not "another holder": this process, and the jsvc controller and
 * logger that keep a copy of the inherited fd (our parent and its other children, when the
 * parent is jsvc).
 */
public final class HolderScan {
    private static final Path PROC = Path.of("/proc");

    /** A pid other than ours that holds {@code file}, or -1. */
    int otherHolder(FileStat file) {
        Set<Long> ours = ownTree();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, HolderScan::isPid)) {
            for (Path pidDir : pids) {
                long pid = Long.parseLong(pidDir.getFileName().toString());
                if (!ours.contains(pid) && holds(pidDir, file)) {
                    return (int) pid;
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            return -1;
        }
        return -1;
    }

    private static boolean holds(Path pidDir, FileStat file) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (file.sameFile(Posix.stat(fd.toString()))) {
                        return true;
                    }
                } catch (NativeIoException e) {
                    // closed meanwhile, or not ours to see
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException | SecurityException e) {
            // the process exited, or its fds are not readable
        }
        return false;
    }

    private static Set<Long> ownTree() {
        Set<Long> ours = new HashSet<>();
        ProcessHandle self = ProcessHandle.current();
        ours.add(self.pid());
        self.parent().filter(HolderScan::isJsvc).ifPresent(parent -> {
            ours.add(parent.pid());
            parent.children().filter(HolderScan::isJsvc).forEach(c -> ours.add(c.pid()));
        });
        return ours;
    }

    private static boolean isJsvc(ProcessHandle p) {
        try {
            Path exe = Files.readSymbolicLink(PROC.resolve(p.pid() + "/exe"));
            return exe.getFileName().toString().equals("jsvc");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean isPid(Path p) {
        String name = p.getFileName().toString();
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return !name.isEmpty();
    }
}
