package org.dmfilemapd.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.dmfilemapd.jni.NativeLibrary;
import org.dmfilemapd.jni.Posix;
import org.junit.jupiter.api.Test;

class MemoryTrimTest {
    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");
    private static final List<String> MAPS = List.of(
            "55d0c2a00000-55d0c2a01000 r--p 00000000 fe:01 1311130                    /usr/bin/jsvc",
            "7f1c8c000000-7f1c8c439000 rw-p 00001000 fe:01 40                         /usr/share/dmfilemapd/dmfilemapd.jsa",
            "7f1c90000000-7f1c90021000 rw-p 00000000 00:00 0 ",
            "7f1c94000000-7f1c94100000 rw-s 00000000 00:05 77                         /dev/shm/shared",
            "7f1c98000000-7f1c98001000 r--p 00000000 fe:01 99                         /srv/a file (deleted)",
            "7ffd4a9f0000-7ffd4aa11000 rw-p 00000000 00:00 0                          [stack]",
            "7ffd4ab5c000-7ffd4ab5e000 r-xp 00000000 00:00 0                          [vdso]",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
            "garbage",
            "zz-10 r--p 0 fe:01 1 /x");

    @Test
    void onlyPrivateFileMappingsAreTrimmed() {
        List<MemoryTrim.Mapping> t = MemoryTrim.trimmable(MAPS);
        assertEquals(List.of("/usr/bin/jsvc", "/usr/share/dmfilemapd/dmfilemapd.jsa", "/srv/a file (deleted)"),
                t.stream().map(MemoryTrim.Mapping::path).toList());
        assertEquals(0x7f1c8c000000L, t.get(1).start());
        assertEquals(0x7f1c8c439000L, t.get(1).end());
    }

    @Test
    void unreadableLinesAreSkipped() {
        assertNull(MemoryTrim.parse("garbage"));
        assertNull(MemoryTrim.parse("zz-10 r--p 0 fe:01 1 /x"));
        assertNull(MemoryTrim.parse("10-20 r--p 0 fe:01 notanumber /x"));
        assertFalse(MemoryTrim.parse("10-20 r--p 0 00:00 0").trimmable(), "anonymous");
        assertEquals(0xffffffffff601000L, MemoryTrim.parse(MAPS.get(7)).end(), "addresses above 2^63");
    }

    @Test
    void quietTimeFromTheEnvironment() {
        assertEquals(IdleTrim.DEFAULT_QUIET_SECONDS, IdleTrim.quietSeconds(null));
        assertEquals(IdleTrim.DEFAULT_QUIET_SECONDS, IdleTrim.quietSeconds(" "));
        assertEquals(0, IdleTrim.quietSeconds("0"));
        assertEquals(5, IdleTrim.quietSeconds(" 5 "));
        assertEquals(IdleTrim.DEFAULT_QUIET_SECONDS, IdleTrim.quietSeconds("-1"));
        assertEquals(IdleTrim.DEFAULT_QUIET_SECONDS, IdleTrim.quietSeconds("86401"));
        assertEquals(IdleTrim.DEFAULT_QUIET_SECONDS, IdleTrim.quietSeconds("soon"));
        assertFalse(new IdleTrim(0).enabled());
        assertTrue(new IdleTrim(1).enabled());
    }

    /** The real thing on this process: a file's clean pages, touched through a private mapping, go. */
    @Test
    void cleanPagesOfAPrivateFileMappingLeaveTheResidentSet() throws IOException {
        assumeTrue(NativeLibrary.unavailabilityCause() == null, "the native library is not built");
        // the build directory: a disk filesystem (a tmpfs file's pages cannot be reclaimed without swap)
        Path file = Files.createTempFile(Path.of(System.getProperty("dmfilemapd.test.scratch", "target")),
                "trim", ".bin");
        try {
            int size = 8 << 20;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[size]));
                ch.force(true); // clean pages: dirty ones would wait for writeback
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.PRIVATE, 0, size);
                long sum = 0;
                for (int i = 0; i < size; i += 4096) {
                    sum += map.get(i); // touch every page
                }
                assertEquals(0, sum);
                long before = residentKiB(file);
                assertTrue(before >= 7 << 10, "mapped and touched: " + before + " KiB resident");
                MemoryTrim.Result r = MemoryTrim.trim();
                assumeTrue(r.failures() < r.mappings(), "this kernel has no MADV_PAGEOUT (errno " + r.firstErrno() + ")");
                long after = residentKiB(file);
                assertTrue(after < before / 4, "resident after the trim: " + after + " KiB of " + before);
                assertEquals(0, map.get(size - 1), "and the contents are the file's, read back");
                assertTrue(residentKiB(file) > 0);
                assertTrue(r.residentAfter() < r.residentBefore(), r.toString());
            }
        } finally {
            Files.deleteIfExists(file);
        }
        assertTrue(Posix.pageOut(0, 4096) < 0, "an unmapped range: an error, no harm");
    }

    /** The {@code Rss:} of this process's mapping of {@code file}, in KiB. */
    private static long residentKiB(Path file) throws IOException {
        String name = file.toAbsolutePath().toString();
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (HEADER.matcher(line).lookingAt()) {
                in = line.endsWith(" " + name);
            } else if (in && line.startsWith("Rss:")) {
                return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError("no mapping of " + name + " in /proc/self/smaps");
    }
}
