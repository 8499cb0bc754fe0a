package org.dmfilemapd.metrics;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A file name (bytes, as Linux keeps it) as printable UTF-8 text, reversibly: valid UTF-8 is
 * kept; a backslash becomes {@code \\}; every byte that is not part of valid UTF-8, and every
 * control character, becomes {@code \xNN}. So any name fits where only valid UTF-8 text
 * without control characters is allowed (a metric label, a table cell), and two different
 * names never print the same.
 */
public final class DisplayPath {
    private DisplayPath() {
    }

    public static String of(byte[] name) {
        StringBuilder out = new StringBuilder(name.length + 8);
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int i = 0;
        while (i < name.length) {
            int b = name[i] & 0xff;
            int len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
            String ch = len == 0 || i + len > name.length ? null : decode(dec, name, i, len);
            if (ch == null) {
                hex(out, b);
                i++;
                continue;
            }
            int cp = ch.codePointAt(0);
            if (cp == '\\') {
                out.append("\\\\");
            } else if (cp < 0x20 || cp == 0x7f || cp >= 0x80 && cp < 0xa0) {
                for (int k = 0; k < len; k++) {
                    hex(out, name[i + k] & 0xff);
                }
            } else {
                out.append(ch);
            }
            i += len;
        }
        return out.toString();
    }

    private static String decode(CharsetDecoder dec, byte[] b, int off, int len) {
        try {
            CharBuffer cb = dec.reset().decode(ByteBuffer.wrap(b, off, len));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void hex(StringBuilder out, int b) {
        out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
    }
}
