package org.dmfilemapd.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.jni.Posix;

/**
 * Gives the kernel back the file pages this process touched once and no longer needs: most of
 * libjvm's code and the class-data archive's pages are used only while the JVM starts and
 * classes load, yet stay resident for the life of a daemon that then sleeps in poll. One
 * {@code madvise(MADV_PAGEOUT)} per private file mapping (libraries, the archive, the JDK's
 * modules); the kernel drops the clean pages only this process maps and keeps the rest (pages
 * another process maps, written pages). Nothing is lost: a page needed again is read back from
 * its file. Anonymous memory (heap, stacks, code cache) is never touched: without swap the
 * advice would be wasted, with swap it would cost the next update its latency.
 */
final class MemoryTrim {
    /** What one trim did. */
    record Result(int mappings, int failures, int firstErrno, long residentBefore, long residentAfter) {
    }

    /** One line of {@code /proc/self/maps}, the fields the choice needs. */
    record Mapping(long start, long end, String perms, long inode, String path) {
        /** A private mapping of a file, not one of the kernel's special ones ({@code [vdso]}...). */
        boolean trimmable() {
            return perms.length() == 4 && perms.charAt(3) == 'p' && inode != 0 && !path.isEmpty()
                    && path.charAt(0) != '[';
        }
    }

    private MemoryTrim() {
    }

    /** Parses a {@code /proc/PID/maps} line; null for a line it cannot read. */
    static Mapping parse(String line) {
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 5) {
            return null;
        }
        int dash = f[0].indexOf('-');
        if (dash <= 0) {
            return null;
        }
        try {
            long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            long inode = Long.parseLong(f[4]);
            return new Mapping(start, end, f[1], inode, f.length == 6 ? f[5] : "");
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The private file mappings of {@code maps} (the lines of a {@code /proc/PID/maps}). */
    static List<Mapping> trimmable(List<String> maps) {
        List<Mapping> out = new ArrayList<>();
        for (String line : maps) {
            Mapping m = parse(line);
            if (m != null && m.trimmable() && m.end() > m.start()) {
                out.add(m);
            }
        }
        return out;
    }

    /** Advises every private file mapping of this process out; the resident sizes are in bytes. */
    static Result trim() throws IOException {
        long before = resident();
        int n = 0, failures = 0, firstErrno = 0;
        for (Mapping m : trimmable(Files.readAllLines(Path.of("/proc/self/maps")))) {
            int rc = Posix.pageOut(m.start(), m.end() - m.start());
            n++;
            if (rc < 0) {
                failures++;
                firstErrno = firstErrno == 0 ? -rc : firstErrno;
            }
        }
        return new Result(n, failures, firstErrno, before, resident());
    }

    /** Resident set size in bytes (the {@code Rss:} line of {@code /proc/self/smaps_rollup}). */
    static long resident() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("Rss:")) {
                return Long.parseLong(line.substring(4).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no Rss line in /proc/self/smaps_rollup");
    }
}
