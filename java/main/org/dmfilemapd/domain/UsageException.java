package org.dmfilemapd.domain;

/** A command-line error: the message for stderr, and whether the usage line follows it. */
public class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean showUsage;

    public UsageException(String message, boolean showUsage) {
        super(message);
        this.showUsage = showUsage;
    }

    public boolean showUsage() {
        return showUsage;
    }
}
