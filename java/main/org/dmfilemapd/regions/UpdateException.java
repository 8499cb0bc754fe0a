package org.dmfilemapd.regions;

import java.io.IOException;

/** A region update that could not be carried out; the group was left as it was, if possible. */
public class UpdateException extends IOException {
    private static final long serialVersionUID = 1L;

    public UpdateException(String message, Throwable cause) {
        super(message, cause);
    }

    public UpdateException(String message) {
        super(message);
    }
}
