package org.dmfilemapd.domain;

/** Monitoring could not start; the message names the fd, path and group. Exit status 1. */
public class StartException extends Exception {
    private static final long serialVersionUID = 1L;

    public StartException(String message, Throwable cause) {
        super(message, cause);
    }
}
