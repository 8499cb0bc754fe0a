package org.dmfilemapd.service;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.dmfilemapd.domain.Mode;

/**
 * The files the service monitors, for a restart: one line per file,
 * {@code <mode> <major>:<minor> <inode> <group> <verbose> <path>}, after a
 * {@code dmfilemapd-state 1} header. Written whole to a temporary file, synced and renamed
 * over the old one, so a reader (or a crash) sees the old state or the new, never a mix.
 */
final class StateFile {
    static final String HEADER = "dmfilemapd-state 1";

    private final Path path;

    StateFile(Path path) {
        this.path = path;
    }

    void write(List<AdoptedFile> files) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (AdoptedFile f : files) {
            sb.append(f.mode().word()).append(' ').append(f.device()).append(' ').append(f.ino()).append(' ')
                    .append(f.groupId()).append(' ').append(f.verbose()).append(' ')
                    .append(escape(f.path())).append('\n');
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".new");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(StandardCharsets.UTF_8.encode(sb.toString()));
            ch.force(true);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + path + " atomically", e);
        }
    }

    /** The saved files (none if there is no state); each line that cannot be read is reported to {@code bad}. */
    List<AdoptedFile> read(Consumer<String> bad) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<AdoptedFile> files = new ArrayList<>();
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            bad.accept(path + ": not a state file of this version (first line \""
                    + (lines.isEmpty() ? "" : lines.get(0)) + "\"): nothing re-adopted");
            return files;
        }
        for (int i = 1; i < lines.size(); i++) {
            try {
                files.add(parse(lines.get(i)));
            } catch (IllegalArgumentException e) {
                bad.accept(path + " line " + (i + 1) + ": " + e.getMessage() + ": \"" + lines.get(i) + "\"");
            }
        }
        return files;
    }

    static AdoptedFile parse(String line) {
        String[] f = line.split(" ", -1);
        if (f.length != 6) {
            throw new IllegalArgumentException("expected 6 fields, found " + f.length);
        }
        Mode mode = switch (f[0]) {
            case "inode" -> Mode.INODE;
            case "path" -> Mode.PATH;
            default -> throw new IllegalArgumentException("unknown mode " + f[0]);
        };
        String[] dev = f[1].split(":", -1);
        if (dev.length != 2) {
            throw new IllegalArgumentException("device is not major:minor");
        }
        int verbose = Integer.parseInt(f[4]);
        String p = unescape(f[5]);
        if (!p.startsWith("/") || verbose < 0 || verbose > 3) {
            throw new IllegalArgumentException("bad path or verbosity");
        }
        long ino = Long.parseLong(f[2]);
        long group = Long.parseLong(f[3]);
        if (group < 0) {
            throw new IllegalArgumentException("negative group id");
        }
        return new AdoptedFile(p, mode, Integer.parseInt(dev[0]), Integer.parseInt(dev[1]), ino, group, verbose);
    }

    /** The path's UTF-8 bytes, printable ASCII as it is, anything else (space, %, newline...) as %XX. */
    static String escape(String path) {
        StringBuilder sb = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    static String unescape(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException("bad %-escape in the path");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x20 && c < 0x7f) {
                out.write(c);
            } else {
                throw new IllegalArgumentException("unescaped character in the path");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
