package org.dmfilemapd.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.sys.Pidfile;

/**
 * The real daemon started as dmstats starts it: {@code dmfilemapd 3 <group> <file> inode 0
 * <verbose> 3<file}, in the background under jsvc, one process for this file
 * ({@code DMFILEMAPD_SERVICE=0}: the figures are one monitor's; {@link ServiceBench} measures
 * the service). The command returns once it monitors, so its run time is the start-up time.
 */
final class Daemon implements AutoCloseable {
    final long pid;
    final double startMs;
    final Path log;

    private Daemon(long pid, double startMs, Path log) {
        this.pid = pid;
        this.startMs = startMs;
        this.log = log;
    }

    /**
     * {@code verbose} 2 logs one line per update to {@code log} (the caller's stdout, kept by the daemon).
     * {@code jvmOptions}: the daemon's JVM options, null for the command's defaults.
     */
    static Daemon start(Path command, Path file, long groupId, int verbose, Path log, String jvmOptions)
            throws IOException {
        String script = "exec " + Shell.q(command.toString()) + " 3 " + groupId + " " + Shell.q(file.toString())
                + " inode 0 " + verbose + " 3<" + Shell.q(file.toString());
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectInput(new File("/dev/null"))
                .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("DMFILEMAPD_SERVICE", "0");
        if (jvmOptions != null) {
            pb.environment().put("DMFILEMAPD_JAVA_OPTS", jvmOptions); // replaces scripts/dmfilemapd's defaults
        }
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("dmfilemapd did not start: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        double ms = Stats.ms(System.nanoTime() - t0);
        FileStat st = Posix.stat(file.toString());
        OptionalLong pid = Pidfile.runningPid(Pidfile.of(st.devMajor(), st.devMinor(), groupId));
        if (pid.isEmpty()) {
            throw new IllegalStateException("no live daemon for group " + groupId + ": " + Files.readString(log));
        }
        return new Daemon(pid.getAsLong(), ms, log);
    }

    /** Lines of the log that contain {@code text}. */
    long count(String text) throws IOException {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }

    /** SIGTERM (a clean stop: regions kept), then waits until the JVM has gone. */
    @Override
    public void close() {
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
    }
}
