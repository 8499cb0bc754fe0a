package org.dmfilemapd.client;

/** The service cannot be reached, started or did not answer as it should; the message says why. */
public final class ServiceException extends Exception {
    private static final long serialVersionUID = 1L;

    public ServiceException(String message) {
        super(message);
    }

    public ServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
