package org.dmfilemapd.background;

/** A background start that did not lead to a monitoring daemon; the message says why. */
public class LaunchException extends Exception {
    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
