package org.dmfilemapd;

/**
 * slf4j-simple reads its settings once, when the first logger is made, so they are set here
 * before anything logs (a {@code -D} on the command line still wins). Verbosity: 0 warnings
 * and errors, 1 info, 2 debug (libdm's info), 3 trace (libdm's ioctl traces). Everything
 * goes to stderr.
 */
public final class Logging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";

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
        setDefault("defaultLogLevel", levelFor(verbose));
        setDefault("logFile", "System.err");
        setDefault("showThreadName", "false");
        setDefault("showLogName", "false");
        setDefault("showShortLogName", "false");
        setDefault("levelInBrackets", "false");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
