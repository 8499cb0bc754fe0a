package org.dmfilemapd.log;

/**
 * Sets the daemon's log level from its verbosity before the first logger exists (logback is
 * configured once, by {@link LogConfigurator}, when SLF4J initialises; a {@code -D} on the
 * command line still wins). Verbosity: 0 warnings and errors, 1 info, 2 debug (and
 * libdevmapper's info), 3 trace (and libdevmapper's ioctl traces).
 */
public final class Logging {
    /** The level property {@link LogConfigurator} reads. */
    public static final String LEVEL_PROPERTY = "dmfilemapd.log.level";

    private Logging() {
    }

    public static String levelFor(int verbose) {
        return switch (verbose) {
            case 0 -> "warn";
            case 1 -> "info";
            case 2 -> "debug";
            default -> "trace";
        };
    }

    public static void configure(int verbose) {
        if (System.getProperty(LEVEL_PROPERTY) == null) {
            System.setProperty(LEVEL_PROPERTY, levelFor(verbose));
        }
    }
}
