package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.dmfilemapd.jni.NativeLibrary;

/**
 * Whether this machine can run the real-kernel tests, and why not. On the host lane they
 * skip with the cause; on the guest lane ({@code -Ddmfilemapd.test.requireDm=true}) a missing
 * prerequisite fails them, so a skipped dm test can never pass for a green run.
 */
final class DmAvailability {
    private static final String CAUSE = probe();

    private DmAvailability() {
    }

    static void require() {
        if (CAUSE == null) {
            return;
        }
        if (Boolean.getBoolean("dmfilemapd.test.requireDm")) {
            fail("the real-kernel lane needs device-mapper, but: " + CAUSE);
        }
        assumeTrue(false, "device-mapper tests skipped: " + CAUSE);
    }

    private static String probe() {
        Throwable lib = NativeLibrary.unavailabilityCause();
        if (lib != null) {
            return "native library: " + lib.getMessage();
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root";
        }
        if (!Files.exists(Path.of("/dev/mapper/control"))) {
            return "no /dev/mapper/control (this kernel has no device-mapper; run the guest lane: scripts/test)";
        }
        try {
            String modules = Files.readString(Path.of("/proc/devices"));
            if (!modules.contains("device-mapper")) {
                return "device-mapper is not registered in /proc/devices";
            }
        } catch (java.io.IOException e) {
            return "cannot read /proc/devices: " + e.getMessage();
        }
        for (String tool : new String[] {"dmsetup", "losetup", "mkfs.xfs", "mkfs.ext4"}) {
            if (!onPath(tool)) {
                return tool + " is not installed";
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}
