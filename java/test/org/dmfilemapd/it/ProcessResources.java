package org.dmfilemapd.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a process holds, from /proc: open fds, inotify instances, threads, resident memory. */
record ProcessResources(long fds, long inotify, long threads, long rssKb) {

    static ProcessResources of(long pid) throws IOException {
        Path proc = Path.of("/proc/" + pid);
        long fds = 0;
        long inotify = 0;
        try (var list = Files.list(proc.resolve("fd"))) {
            for (Path p : (Iterable<Path>) list::iterator) {
                fds++;
                try {
                    if (Files.readSymbolicLink(p).toString().equals("anon_inode:inotify")) {
                        inotify++;
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        long threads = -1;
        long rss = -1;
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("Threads:")) {
                threads = Long.parseLong(line.substring(8).trim());
            } else if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.substring(6).replace("kB", "").trim());
            }
        }
        return new ProcessResources(fds, inotify, threads, rss);
    }

    @Override
    public String toString() {
        return "fds " + fds + ", inotify " + inotify + ", threads " + threads + ", RSS " + rssKb / 1024 + " MiB";
    }
}
