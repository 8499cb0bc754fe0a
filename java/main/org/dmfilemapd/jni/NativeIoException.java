package org.dmfilemapd.jni;

import java.io.IOException;

/** A failed system call: the operation and its errno. */
public class NativeIoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    /** Called from C with strerror's text; from Java with {@code null} (looked up here). */
    public NativeIoException(String operation, int errno, String strerror) {
        super(operation + ": " + (strerror != null ? strerror : Posix.strerror(errno)));
        this.operation = operation;
        this.errno = errno;
    }

    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }

    /** For natives that return {@code -errno}: the value itself, or the exception. */
    static int check(String operation, int rc) throws NativeIoException {
        if (rc < 0) {
            throw new NativeIoException(operation, -rc, null);
        }
        return rc;
    }
}
