package org.dmfilemapd.jni;

import java.io.IOException;

/**
 * A libdevmapper call that failed: the call, the errno libdm reported with its last error
 * (0 if none), and libdm's last error message on this thread.
 */
public class DmException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;
    private final String libdmMessage;

    public DmException(String operation, int errno, String libdmMessage) {
        super(operation + " failed" + (libdmMessage != null ? ": " + libdmMessage : "")
                + (errno > 0 ? " (errno " + errno + ")" : ""));
        this.operation = operation;
        this.errno = errno;
        this.libdmMessage = libdmMessage;
    }

    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }

    /** libdm's own last error text, or null. */
    public String libdmMessage() {
        return libdmMessage;
    }
}
