package org.dmfilemapd.metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the metrics text for node_exporter's textfile collector: {@code dmfilemapd.prom} in
 * its directory, replaced whole (a temporary file that the collector does not read, synced,
 * then renamed over it), so a scrape sees the last text or the new one, never half of one.
 * The temporary file is created exclusively and nothing is followed through a symlink; the
 * result is world-readable (the collector does not run as root).
 */
public final class TextfileWriter {
    public static final String FILE_NAME = "dmfilemapd.prom";

    private final Path target;
    private final Path temporary;

    public TextfileWriter(Path directory) {
        this.target = directory.resolve(FILE_NAME);
        this.temporary = directory.resolve("." + FILE_NAME + ".tmp");
    }

    public Path target() {
        return target;
    }

    public void write(String text) throws IOException {
        Files.deleteIfExists(temporary);    // left by a crash; a link is removed, not followed
        try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = StandardCharsets.UTF_8.encode(text);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes the file (the service stops exporting): node_exporter then drops its series. */
    public void remove() throws IOException {
        Files.deleteIfExists(temporary);
        Files.deleteIfExists(target);
    }
}
