package org.dmfilemapd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class DisplayPathTest {
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void printableUtf8IsKept() {
        assertEquals("/srv/café-😀 x.img", DisplayPath.of(utf8("/srv/café-😀 x.img")));
    }

    @Test
    void controlsBackslashesAndInvalidBytesAreEscaped() {
        assertEquals("/a\\x0ab\\\\c", DisplayPath.of(utf8("/a\nb\\c")));
        assertEquals("/caf\\xe9", DisplayPath.of(new byte[] {'/', 'c', 'a', 'f', (byte) 0xe9}));
        assertEquals("\\xed\\xa0\\x80", DisplayPath.of(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}),
                "a surrogate is not UTF-8");
        assertEquals("\\xc0\\xaf", DisplayPath.of(new byte[] {(byte) 0xc0, (byte) 0xaf}), "nor an overlong form");
        assertEquals("\\xc2\\x85", DisplayPath.of(utf8("\u0085")), "C1 controls too");
    }

    @Test
    void differentNamesNeverPrintTheSame() {
        assertNotEquals(DisplayPath.of(utf8("a\\xe9")), DisplayPath.of(new byte[] {'a', (byte) 0xe9}));
    }
}
