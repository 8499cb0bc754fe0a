package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * C1-C4 through the real command (scripts/dmfilemapd, a JVM each): every error is the
 * original's message on stderr, status 1, no stack trace, nothing on stdout. Needs no
 * device-mapper: parsing fails before anything is opened.
 */
class CommandLineTest {
    @ParameterizedTest(name = "[{index}] dmfilemapd {0}")
    @CsvSource(delimiter = '|', value = {
        "''                                      | Wrong number of arguments.",
        "3 0 /x inode                            | Wrong number of arguments.",
        "--help                                  | Wrong number of arguments.",
        "-h                                      | Wrong number of arguments.",
        "--version                               | Wrong number of arguments.",
        "--help 0 /x inode 0                     | Could not parse file descriptor: --help",
        "'' 0 /x inode 0                         | Could not parse file descriptor: ",
        "-1 0 /x inode 0                         | Could not parse file descriptor: -1",
        "3x 0 /x inode 0                         | Could not parse file descriptor: 3x",
        "3 -1 /x inode 0                         | Could not parse group identifier: -1",
        "3 g /x inode 0                          | Could not parse group identifier: g",
        "3 0 '' inode 0                          | Path argument is required.",
        "3 0 rel/x inode 0                       | Path argument must specify an absolute path.",
        "3 0 /x '' 0                             | Mode argument is required.",
        "3 0 /x INODE 0                          | Could not parse dmfilemapd mode: INODE",
        "3 0 /x inode fg                         | Could not parse debug argument: fg.",
        "3 0 /x inode 0 4                        | Verbose argument out of range: 4.",
        "3 0 /x inode 0 -1                       | Verbose argument out of range: -1.",
        "3 0 /x inode 0 v                        | Could not parse verbose argument: v",
    })
    void badArgumentsExitOneWithTheOriginalsMessage(String args, String message) throws IOException {
        try (DaemonProcess d = DaemonProcess.startRaw(args)) {
            assertEquals(1, d.awaitExit(Duration.ofSeconds(60)));
            String err = d.stderr();
            assertTrue(err.startsWith(message), "stderr: " + err);
            assertEquals(message.startsWith("Wrong number"), err.contains("usage: dmfilemapd <fd>"), err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), err);
            assertEquals("", d.stdout());
        }
    }

    // C4: strtol's leniency for blanks and '+' is kept; the fd is then checked (fd 9 is not open)
    @ParameterizedTest
    @CsvSource({"'+9'", "' 9'"})
    void blanksAndPlusAreAcceptedNumbers(String fd) throws IOException {
        try (DaemonProcess d = DaemonProcess.startRaw(fd + " 0 /x inode 1")) {
            assertEquals(1, d.awaitExit(Duration.ofSeconds(60)));
            assertTrue(d.stderr().contains("Cannot monitor fd=9, path=\"/x\", group_id=0: file descriptor is not open"),
                    d.stderr());
        }
    }
}
