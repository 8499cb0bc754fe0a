package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code dmfilemapd} command (scripts/dmfilemapd), started the way dmstats starts
 * it: through exec, with the file open on fd 3. Output goes to files the test can read.
 */
final class DaemonProcess implements AutoCloseable {
    static final Path LAUNCHER = Path.of(System.getProperty("dmfilemapd.test.launcher", "scripts/dmfilemapd"));

    /**
     * One directory per test JVM for every process's output, removed when that JVM exits: a
     * test may still read a log after {@link #close()} (in a failure message), and the host
     * lane alone starts hundreds of processes (the fuzz test), so nothing may be left in /tmp.
     */
    private static final Path OUTPUT_ROOT = outputRoot();

    final Process process;
    private final Path out;
    private final Path err;

    private DaemonProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** {@code dmfilemapd 3 <group> <file> <mode> <fg> <verbose> 3<file}. */
    static DaemonProcess start(Path file, long groupId, String mode, boolean foreground, int verbose)
            throws IOException {
        return start(file, groupId, mode, foreground, verbose, Map.of());
    }

    /** {@code exec dmfilemapd <argsAndRedirections>} in bash. */
    static DaemonProcess startRaw(String argsAndRedirections) throws IOException {
        return shell("exec " + Sh.q(LAUNCHER.toString()) + " " + argsAndRedirections);
    }

    /**
     * Any bash script, with our {@code dmfilemapd} first on PATH (for dmstats) and output to
     * files, a process per file ({@code DMFILEMAPD_SERVICE=0}: these tests are about one
     * monitor's behaviour, its own log included).
     */
    static DaemonProcess shell(String script) throws IOException {
        return shell(script, false);
    }

    /** {@link #start(Path, long, String, boolean, int)} with more environment (a fail point, say). */
    static DaemonProcess start(Path file, long groupId, String mode, boolean foreground, int verbose,
            Map<String, String> env) throws IOException {
        return shell(command(file, groupId, mode, foreground, verbose), false, env);
    }

    /** {@code dmfilemapd 3 <group> <file> <mode> <fg> <verbose> 3<file} handed to the service. */
    static DaemonProcess startInService(Path file, long groupId, String mode, boolean foreground, int verbose)
            throws IOException {
        return startInService(file, groupId, mode, foreground, verbose, Map.of());
    }

    /** {@link #startInService(Path, long, String, boolean, int)} with more environment (the service inherits it when this command starts it). */
    static DaemonProcess startInService(Path file, long groupId, String mode, boolean foreground, int verbose,
            Map<String, String> env) throws IOException {
        return shell(command(file, groupId, mode, foreground, verbose), true, env);
    }

    private static String command(Path file, long groupId, String mode, boolean foreground, int verbose) {
        String f = Sh.q(file.toString());
        return "exec " + Sh.q(LAUNCHER.toString()) + " 3 " + groupId + " " + f + " " + mode + " " + (foreground ? 1 : 0)
                + " " + verbose + " 3<" + f;
    }

    /** Like {@link #shell(String)}; with {@code service}, files go to the dmfilemapd service (the default outside tests). */
    static DaemonProcess shell(String script, boolean service) throws IOException {
        return shell(script, service, Map.of());
    }

    private static DaemonProcess shell(String script, boolean service, Map<String, String> env) throws IOException {
        Path dir = Files.createTempDirectory(OUTPUT_ROOT, "daemon");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectInput(new File("/dev/null"))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("PATH", LAUNCHER.toAbsolutePath().getParent() + ":" + pb.environment().get("PATH"));
        pb.environment().put("DMFILEMAPD_SERVICE", service ? "1" : "0");
        pb.environment().putAll(env);
        return new DaemonProcess(pb.start(), out, err);
    }

    long pid() {
        return process.pid();
    }

    /** True while the process is stopped (SIGSTOP): state {@code T} in /proc/PID/stat. */
    boolean stopped() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
        } catch (IOException e) {
            return false; // gone
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    String stderr() {
        return read(err);
    }

    String stdout() {
        return read(out);
    }

    /** Everything it logged: stdout (info and below) then stderr (warnings and errors). */
    String log() {
        return read(out) + read(err);
    }

    /** Waits for the debug line the monitor logs once it watches (needs verbose >= 2). */
    DaemonProcess awaitWatching() {
        return awaitLog("Watching \"", Duration.ofSeconds(60));
    }

    DaemonProcess awaitLog(String text, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (log().contains(text)) {
                return this;
            }
            if (!alive() && !log().contains(text)) {
                fail("daemon exited " + process.exitValue() + " before logging '" + text + "':\n" + log());
            }
            Kernel.pause();
        }
        fail("daemon did not log '" + text + "' within " + timeout.toMillis() + " ms:\n" + log());
        return this;
    }

    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("daemon still running after " + timeout.toMillis() + " ms:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        return process.exitValue();
    }

    private static Path outputRoot() {
        try {
            Path root = Files.createTempDirectory("dmfit-daemons");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root.toFile())));
            return root;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete(); // best effort: the JVM is exiting
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
