package org.dmfilemapd.cli;

import java.math.BigInteger;

import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.domain.UsageException;

/**
 * {@code dmfilemapd <fd> <group_id> <abs_path> <mode> <foreground> [<verbose>]}, checked in the
 * original's order with its messages. Numbers follow strtol: leading blanks and a {@code +}
 * are accepted. Unlike the original, an empty number (which strtol reads as 0), a negative fd
 * or group id (strtoull turns {@code -1} into 2^64-1) and out-of-range values are refused.
 */
public record Arguments(int fd, long groupId, String path, Mode mode, boolean foreground, int verbose) {
    public static final String USAGE =
            "usage: dmfilemapd <fd> <group_id> <abs_path> <mode> [<foreground>[<log_level>]]";

    public Arguments {
        if (fd < 0 || groupId < 0 || verbose < 0 || verbose > 3 || path == null || mode == null) {
            throw new IllegalArgumentException("invalid dmfilemapd arguments");
        }
    }

    public static Arguments parse(String... argv) throws UsageException {
        if (argv.length < 5) {
            throw new UsageException("Wrong number of arguments.", true);
        }
        int fd = parseFd(argv[0]);
        long groupId = parseGroupId(argv[1]);
        String path = argv[2];
        if (path.isEmpty()) {
            throw new UsageException("Path argument is required.", false);
        }
        if (path.charAt(0) != '/') {
            throw new UsageException("Path argument must specify an absolute path.", false);
        }
        if (argv[3].isEmpty()) {
            throw new UsageException("Mode argument is required.", false);
        }
        Mode mode = Mode.parse(argv[3]);
        BigInteger fg = integer(argv[4]);
        if (fg == null || fg.bitLength() > 63) {
            throw new UsageException("Could not parse debug argument: " + argv[4] + ".", false);
        }
        int verbose = 0;
        if (argv.length > 5) {
            BigInteger v = integer(argv[5]);
            if (v == null || v.bitLength() > 63) {
                throw new UsageException("Could not parse verbose argument: " + argv[5], false);
            }
            if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(3)) > 0) {
                throw new UsageException("Verbose argument out of range: " + v + ".", false);
            }
            verbose = v.intValue();
        }
        return new Arguments(fd, groupId, path, mode, fg.signum() != 0, verbose);
    }

    /** The argv of this invocation, for re-launching it. */
    public String[] toArgv(boolean asForeground) {
        return new String[] {Integer.toString(fd), Long.toString(groupId), path, mode.word(),
            asForeground || foreground ? "1" : "0", Integer.toString(verbose)};
    }

    private static int parseFd(String s) throws UsageException {
        BigInteger v = integer(s);
        if (v == null) {
            throw new UsageException("Could not parse file descriptor: " + s, false);
        }
        if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new UsageException("Could not parse file descriptor: " + s
                    + " (must be from 0 to " + Integer.MAX_VALUE + ")", false);
        }
        return v.intValue();
    }

    private static long parseGroupId(String s) throws UsageException {
        BigInteger v = integer(s);
        if (v == null) {
            throw new UsageException("Could not parse group identifier: " + s, false);
        }
        if (v.signum() < 0 || v.bitLength() > 63) {
            throw new UsageException("Could not parse group identifier: " + s
                    + " (must be from 0 to " + Long.MAX_VALUE + ")", false);
        }
        return v.longValue();
    }

    /**
     * A base-10 integer as strtol reads it (leading blanks, optional sign, digits, nothing
     * after), or null. Unlike strtol, no digits at all is an error rather than 0.
     */
    static BigInteger integer(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && isCSpace(s.charAt(i))) {
            i++;
        }
        int start = i;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = i;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == digits || i != n) {
            return null;
        }
        String t = s.substring(start, n);
        return new BigInteger(t.charAt(0) == '+' ? t.substring(1) : t);
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }
}
