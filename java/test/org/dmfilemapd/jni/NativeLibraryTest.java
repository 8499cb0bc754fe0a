package org.dmfilemapd.jni;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeLibraryTest {
    @Test
    void loads() {
        assertNull(NativeLibrary.unavailabilityCause());
    }

    @Test
    void libdmVersionStartsWithADigit() {
        String v = NativeLibrary.libdmVersion();
        assertFalse(v.isEmpty());
        assertTrue(Character.isDigit(v.charAt(0)), v);
    }
}
