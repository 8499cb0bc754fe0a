package org.dmfilemapd.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs set-up commands for the benchmark (losetup, mkfs, fallocate, xfs_io). */
final class Shell {
    private Shell() {
    }

    /** Runs {@code bash -c script}; returns stdout; throws with stderr on a non-zero status. */
    static String run(String script) {
        try {
            Process p = start(script);
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + script);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("`" + abbreviate(script) + "` exited " + p.exitValue() + ": "
                        + new String(err, StandardCharsets.UTF_8).trim());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(script, e);
        }
    }

    static Process start(String script) throws IOException {
        return new ProcessBuilder("bash", "-c", script).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
