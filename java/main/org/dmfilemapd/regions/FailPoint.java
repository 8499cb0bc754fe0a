package org.dmfilemapd.regions;

import java.util.concurrent.atomic.AtomicBoolean;

import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named places in an update where a fault test needs the daemon held still: with
 * {@code DMFILEMAPD_FAILPOINT=<name>} in its environment, the process stops itself (SIGSTOP)
 * the first time it gets there, so the test can change the kernel's state inside a window that
 * is otherwise a few milliseconds wide, then let it go on with SIGCONT. Unset (always, outside
 * the fault tests), a point costs one comparison with null.
 */
public final class FailPoint {
    /** After an update created its new regions, before it writes the group's tag. */
    public static final String BEFORE_TAG = "update.before-tag";

    private static final Logger LOG = LoggerFactory.getLogger(FailPoint.class);
    private static final String ARMED = System.getenv("DMFILEMAPD_FAILPOINT");
    private static final AtomicBoolean FIRED = new AtomicBoolean();

    private FailPoint() {
    }

    static void reach(String name) {
        if (ARMED == null || !ARMED.equals(name) || !FIRED.compareAndSet(false, true)) {
            return;
        }
        LOG.info("Fail point {} reached: stopping until SIGCONT", name);
        try {
            Posix.stopSelf();
        } catch (NativeIoException e) {
            LOG.warn("Fail point {}: {}", name, e.getMessage());
        }
    }
}
