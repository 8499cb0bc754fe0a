package org.dmfilemapd.handover;

/** A message that is not one of ours, or is damaged; the message says what is wrong. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
