package org.dmfilemapd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextfileWriterTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheFileWholeAndLeavesNothingElse() throws IOException {
        TextfileWriter w = new TextfileWriter(dir);
        w.write("a 1\n");
        w.write("a 2\n");
        assertEquals("a 2\n", Files.readString(dir.resolve("dmfilemapd.prom")));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(w.target())));
        try (var ls = Files.list(dir)) {
            assertEquals(1, ls.count());
        }
        w.remove();
        try (var ls = Files.list(dir)) {
            assertEquals(0, ls.count());
        }
    }

    @Test
    void aSymlinkAtTheTemporaryNameIsNotFollowed() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim"), "keep");
        Path sub = Files.createDirectory(dir.resolve("t"));
        Files.createSymbolicLink(sub.resolve(".dmfilemapd.prom.tmp"), victim);
        new TextfileWriter(sub).write("a 1\n");
        assertEquals("keep", Files.readString(victim));
        assertEquals("a 1\n", Files.readString(sub.resolve("dmfilemapd.prom")));
    }
}
