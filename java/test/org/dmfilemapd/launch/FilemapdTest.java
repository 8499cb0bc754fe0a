package org.dmfilemapd.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dmfilemapd.domain.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The launch API's argument checks: libdevmapper's messages, nothing started. */
class FilemapdTest {
    private static void refused(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void modeFromStringIsExact() {
        assertEquals(Mode.INODE, Filemapd.modeFromString("inode"));
        assertEquals(Mode.PATH, Filemapd.modeFromString("path"));
        refused("Could not parse dmfilemapd mode: Path", () -> Filemapd.modeFromString("Path"));
        refused("Could not parse dmfilemapd mode: ", () -> Filemapd.modeFromString(null));
    }

    @Test
    void argumentsAreCheckedInLibdmsOrder() {
        refused("dmfilemapd file descriptor must be non-negative: -1",
                () -> Filemapd.start(-1, 0, "rel", null, 2, 9));
        refused("Path argument must specify an absolute path.", () -> Filemapd.start(3, 0, "rel", null, 2, 9));
        refused("Path argument must specify an absolute path.", () -> Filemapd.start(3, 0, null, Mode.INODE, 0, 0));
        refused("Invalid dmfilemapd mode argument: Must be DM_FILEMAPD_FOLLOW_INODE or DM_FILEMAPD_FOLLOW_PATH",
                () -> Filemapd.start(3, 0, "/x", null, 2, 9));
        refused("Invalid dmfilemapd foreground argument. Must be 0 or 1: 2.",
                () -> Filemapd.start(3, 0, "/x", Mode.PATH, 2, 9));
        refused("Invalid dmfilemapd verbose argument. Must be 0..3: 4.",
                () -> Filemapd.start(3, 0, "/x", Mode.PATH, 1, 4));
        refused("dmfilemapd group id must be non-negative: -1", () -> Filemapd.start(3, -1, "/x", Mode.PATH, 1, 0));
    }
}
