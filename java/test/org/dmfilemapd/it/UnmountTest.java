package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** F20: the filesystem goes away under the daemon. Each case has a device of its own. */
@Tag("dm")
class UnmountTest {
    private static final Duration EXIT = Duration.ofSeconds(30);

    @BeforeAll
    static void dm() {
        DmAvailability.require();
    }

    // inode mode holds the file, so the filesystem cannot be unmounted until the group goes
    @ParameterizedTest
    @EnumSource(Fs.class)
    void inodeModeKeepsTheFilesystemBusyUntilTheGroupIsDeleted(Fs fs) throws IOException {
        try (DmDevice dev = new DmDevice(fs)) {
            Path f = dev.file("busy");
            Sh.run("fallocate -l 8M " + f);
            long g = Kernel.createGroup(f, false, null, "busy");
            try (DaemonProcess d = DaemonProcess.start(f, g, "inode", true, 2).awaitWatching()) {
                IllegalStateException busy = assertThrows(IllegalStateException.class, dev::unmount);
                assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
                assertTrue(d.alive());
                Kernel.deleteGroup(f, g, true);
                assertEquals(0, d.awaitExit(EXIT));
            }
            dev.unmount();
        }
    }

    // path mode: a lazy unmount takes the path away; the daemon ends with status 1 and lets go
    @ParameterizedTest
    @EnumSource(Fs.class)
    void pathModeEndsWhenTheFilesystemIsUnmounted(Fs fs) throws IOException {
        try (DmDevice dev = new DmDevice(fs)) {
            Path f = dev.file("lazy");
            Sh.run("fallocate -l 8M " + f);
            long g = Kernel.createGroup(f, false, null, "lazy");
            try (DaemonProcess d = DaemonProcess.start(f, g, "path", true, 2).awaitWatching()) {
                Sh.run("umount -l " + dev.mount);
                dev.forgetMount();
                assertEquals(1, d.awaitExit(EXIT));
                assertTrue(d.log().contains("Could not re-open file descriptor."), d.log());
            }
            // nothing holds the device any more: it can go (close() removes it and checks nothing)
            Kernel.await("the dm device to be unused", EXIT,
                    () -> Sh.run("dmsetup info -c --noheadings -o open " + dev.name).trim().equals("0"));
        }
    }
}
