package org.dmfilemapd.bench;

import java.nio.file.Path;

/**
 * A dm-linear device over a loop device over a sparse file in /tmp, with a filesystem on it:
 * what the daemon needs (a filesystem directly on device-mapper).
 */
final class BenchDevice implements AutoCloseable {
    static final long SIZE_MB = 768;

    final String fs;
    final String name;
    final Path mount;
    private final Path backing;
    private String loop;

    BenchDevice(String fs) {
        this(fs, "");
    }

    /** {@code suffix} tells apart two devices of the same filesystem (the service section uses two). */
    BenchDevice(String fs, String suffix) {
        this.fs = fs;
        this.name = "dmbench" + ProcessHandle.current().pid() + fs + suffix;
        this.backing = Path.of("/tmp", name + ".img");
        this.mount = Path.of("/tmp", name + ".mnt");
        String mkfs = switch (fs) {
            case "xfs" -> "mkfs.xfs -q -f";
            case "ext4" -> "mkfs.ext4 -q -F";
            default -> throw new IllegalArgumentException("filesystem " + fs);
        };
        Shell.run("truncate -s " + SIZE_MB + "M " + backing);
        loop = Shell.run("losetup -f --show " + backing).trim();
        try {
            Shell.run("echo '0 " + SIZE_MB * 2048 + " linear " + loop + " 0' | dmsetup create " + name + " && "
                    + mkfs + " /dev/mapper/" + name + " && mkdir -p " + mount + " && mount /dev/mapper/" + name + " "
                    + mount);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    Path file(String n) {
        return mount.resolve(n);
    }

    @Override
    public void close() {
        Shell.run("umount " + mount + " 2>/dev/null || umount -l " + mount + " 2>/dev/null; dmsetup remove --retry "
                + name + " 2>/dev/null; losetup -d " + loop + " 2>/dev/null; rm -f " + backing + "; rmdir " + mount
                + " 2>/dev/null; true");
    }
}
