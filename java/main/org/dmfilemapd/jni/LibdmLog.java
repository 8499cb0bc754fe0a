package org.dmfilemapd.jni;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives libdevmapper's own log messages from the shim's dm_log_with_errno callback and
 * forwards them to SLF4J at the matching level. libdm levels: 2 fatal, 3 error, 4 warn,
 * 5 notice, 6 info, 7 debug (its ioctl traces).
 */
public final class LibdmLog {
    private static final Logger LOG = LoggerFactory.getLogger("libdevmapper");

    private LibdmLog() {
    }

    /** Sets the native threshold from the logger's level, so disabled levels cost no upcall. */
    public static void configure() {
        NativeLibrary.load();
        int threshold = LOG.isTraceEnabled() ? 7 : LOG.isDebugEnabled() ? 6 : LOG.isInfoEnabled() ? 5 : 4;
        NativeLibrary.setLibdmLogThreshold(threshold);
    }

    // called from native code
    static void log(int level, String message) {
        if (level <= 3) {
            LOG.error(message);
        } else if (level == 4) {
            LOG.warn(message);
        } else if (level <= 5) {
            LOG.info(message);
        } else if (level == 6) {
            LOG.debug(message);
        } else {
            LOG.trace(message);
        }
    }
}
