package org.dmfilemapd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs set-up commands (losetup, dmsetup, mkfs, mount) for the fixtures. */
final class Sh {
    private Sh() {
    }

    /** Runs {@code bash -c script}; returns stdout; throws with stderr on a non-zero status. */
    static String run(String script) {
        try {
            Process p = new ProcessBuilder("bash", "-c", script).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + script);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("`" + script + "` exited " + p.exitValue() + ": "
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

    /** Single-quotes {@code s} for bash. */
    static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
