package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * 240 generated malformed argument vectors through the real command: numbers out of range,
 * huge, signed, blank, with trailing junk, non-UTF-8 bytes, very long paths, missing and
 * extra arguments. Each must end with status 1 and a message, never a stack trace, never a
 * hang. The seed is fixed, so a failure names a reproducible vector.
 */
class CommandLineFuzzTest {
    private static final int VECTORS = 240;

    // bash words (ANSI-C quoting allowed), each malformed for its position
    private static final String[] BAD_FD = {"''", "' '", "-1", "-3", "+-3", "3x", "0x3", "3.0", "99999999999999999999",
        "2147483648", "-2147483649", "$'\\xff'", "$'3\\n'", "'3 '", "--", "-", "$'\\t'", "1e3", "३"};
    private static final String[] BAD_GROUP = {"''", "-1", "-0x1", "18446744073709551615", "9223372036854775808",
        "g", "0g", "$'\\xfe\\xff'", "' '", "'1 2'", "+", "0.5", "$'0\\x00'"};
    private static final String[] BAD_PATH = {"''", "x", "./x", "~/x", "$'\\xff/x'", "relative/" + "a".repeat(5000),
        "'' ", "$'\\n/x'"};
    private static final String[] BAD_MODE = {"''", "INODE", "Path", "inode ", "' inode'", "paths", "ino", "$'\\xff'",
        "none", "0", "-"};
    private static final String[] BAD_FG = {"x", "1x", "99999999999999999999999", "$'\\xff'", "' '", "0.0", "--1"};
    private static final String[] BAD_VERBOSE = {"4", "-1", "99999999999999999999999", "x", "3x", "$'\\xff'", "' '",
        "2147483648", "-2147483649"};
    private static final String[][] BAD = {BAD_FD, BAD_GROUP, BAD_PATH, BAD_MODE, BAD_FG, BAD_VERBOSE};

    static List<String> vectors() {
        Random r = new Random(20261125L);
        List<String> out = new ArrayList<>();
        String[] good = {"3", "0", "/tmp/x", "inode", "1", "0"};
        for (int i = 0; i < VECTORS; i++) {
            String[] v = good.clone();
            int kind = r.nextInt(10);
            List<String> words = new ArrayList<>();
            if (kind == 0) {
                // too few arguments, possibly all garbage
                int n = r.nextInt(5);
                for (int k = 0; k < n; k++) {
                    String[] pool = BAD[r.nextInt(BAD.length)];
                    words.add(r.nextBoolean() ? good[k] : pool[r.nextInt(pool.length)]);
                }
            } else {
                int pos = r.nextInt(6);
                v[pos] = BAD[pos][r.nextInt(BAD[pos].length)];
                if (r.nextInt(4) == 0) {
                    int other = r.nextInt(6);
                    v[other] = BAD[other][r.nextInt(BAD[other].length)];
                }
                words.addAll(List.of(v));
                for (int extra = r.nextInt(3); extra > 0; extra--) {
                    words.add(r.nextBoolean() ? "extra" : "$'\\xff'");
                }
            }
            out.add(String.join(" ", words));
        }
        return out;
    }

    @Test
    void malformedVectorsExitOneWithAMessage() throws Exception {
        List<String> vs = vectors();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (String v : vs) {
                results.add(pool.submit(() -> check(v)));
            }
            List<String> failures = new ArrayList<>();
            for (Future<String> f : results) {
                String problem = f.get();
                if (problem != null) {
                    failures.add(problem);
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " of " + vs.size() + " failed:\n"
                    + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(VECTORS, vs.size());
    }

    private static String check(String args) throws IOException {
        try (DaemonProcess d = DaemonProcess.startRaw(args)) {
            int status;
            try {
                status = d.awaitExit(Duration.ofSeconds(60));
            } catch (AssertionError e) {
                return "hung: dmfilemapd " + args;
            }
            String err = d.stderr();
            if (status != 1 || err.isBlank() || err.contains("Exception") || err.contains("\tat ")) {
                return "dmfilemapd " + args + " -> status " + status + ", stderr: " + err.trim();
            }
            assertFalse(err.isEmpty());
            return null;
        }
    }
}
