package org.dmfilemapd.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/**
 * Tests on one real dm device per class (XFS unless a subclass says otherwise); each test
 * starts with an empty filesystem and no stats regions.
 */
@Tag("dm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnDmDevice {
    static final Duration SYNC = Duration.ofSeconds(10);
    static final Duration EXIT = Duration.ofSeconds(30);
    static final long MS = 1_000_000L;

    DmDevice dev;

    Fs fs() {
        return Fs.XFS;
    }

    @BeforeAll
    void device() {
        DmAvailability.require();
        dev = new DmDevice(fs());
    }

    @AfterAll
    void removeDevice() {
        if (dev != null) {
            dev.close();
        }
    }

    @BeforeEach
    void clean() throws IOException {
        Sh.run("rm -rf " + dev.mount + "/*");
        Sh.run("touch " + dev.mount + "/.anchor");
        Kernel.deleteAll(dev.file(".anchor"));
    }

    static void sh(String script) {
        Sh.run(script);
    }

    /** A file of {@code mb} MiB, then a second one right behind it, so growing the first is not contiguous. */
    Path fragmentable(String name, int mb) {
        Path f = dev.file(name);
        sh("fallocate -l " + mb + "M " + f + " && fallocate -l 4M " + dev.file(name + ".spacer") + " && sync");
        return f;
    }
}
