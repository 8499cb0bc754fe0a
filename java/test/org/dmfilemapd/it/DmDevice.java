package org.dmfilemapd.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;

/**
 * A real dm-linear device over a loop device over a sparse file, with a filesystem mounted on
 * it. Backing files live in /tmp (tmpfs in the guest), so only written blocks cost memory.
 */
final class DmDevice implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    static final long SIZE_MB = 512;

    final String name;
    final Path mapper;
    final Path mount;
    final Fs fs;
    private final Path backing;
    private final String loop;
    private boolean mounted;

    DmDevice(Fs fs) {
        this.fs = fs;
        this.name = "dmfit" + ProcessHandle.current().pid() + "x" + SEQ.incrementAndGet();
        this.backing = Path.of("/tmp", name + ".img");
        this.mapper = Path.of("/dev/mapper", name);
        this.mount = Path.of("/tmp", name + ".mnt");
        Sh.run("truncate -s " + SIZE_MB + "M " + backing);
        this.loop = Sh.run("losetup -f --show " + backing).trim();
        try {
            Sh.run("echo '0 " + SIZE_MB * 2048 + " linear " + loop + " 0' | dmsetup create " + name);
            Sh.run(fs.mkfs + " " + mapper);
            Files.createDirectories(mount);
            Sh.run("mount " + mapper + " " + mount);
            mounted = true;
        } catch (RuntimeException | java.io.IOException e) {
            close();
            throw new IllegalStateException("cannot set up " + fs + " on dm: " + e.getMessage(), e);
        }
    }

    Path file(String name) {
        return mount.resolve(name);
    }

    /** major:minor of the dm device, as st_dev of files on it. */
    FileStat deviceOf(Path file) throws java.io.IOException {
        return Posix.stat(file.toString());
    }

    /** Unmounts now (the daemon holds no fd any more), leaving the device for close(). */
    void unmount() {
        if (mounted) {
            Sh.run("umount " + mount);
            mounted = false;
        }
    }

    /** Marks the filesystem as already gone (unmounted by the test itself). */
    void forgetMount() {
        mounted = false;
    }

    @Override
    public void close() {
        StringBuilder errors = new StringBuilder();
        if (mounted) {
            try {
                Sh.run("umount " + mount + " || umount -l " + mount);
            } catch (RuntimeException e) {
                errors.append(e.getMessage()).append('\n');
            }
        }
        try {
            Sh.run("dmsetup remove --retry " + name + " 2>/dev/null || dmsetup remove --force " + name
                    + " 2>/dev/null || true; losetup -d " + loop + " || true; rm -f " + backing + "; rmdir "
                    + mount + " 2>/dev/null || true");
        } catch (RuntimeException e) {
            errors.append(e.getMessage());
        }
        if (errors.length() > 0) {
            System.err.println("DmDevice cleanup: " + errors);
        }
    }
}
