package org.dmfilemapd.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.jni.UnixSocket;
import org.junit.jupiter.api.Test;

class WireTest {
    private static final Request.Monitor MONITOR = new Request.Monitor(12, "/srv/vm é.img", Mode.PATH, true, 2);

    @Test
    void everyRequestRoundTrips() throws ProtocolException {
        for (Request r : List.of(MONITOR, new Request.Status(), new Request.Forget("253:1:0"), new Request.Stop())) {
            assertEquals(r, Wire.decodeRequest(Wire.encode(r)));
        }
    }

    @Test
    void everyReplyRoundTrips() throws ProtocolException {
        MonitorStatus st = new MonitorStatus("/a/b", Mode.INODE, 253, 7, 1234, 5, 3, 1_700_000_000_000L, 9, null);
        MonitorStatus failed = new MonitorStatus("/a/c", Mode.PATH, 253, 8, 99, 0, 0, 0, 0, "Failed to update");
        for (Reply r : List.of(new Reply.Accepted(4321, 7), new Reply.Refused("no such group"),
                new Reply.Ended(MonitorResult.info("Filemap group removed: exiting.")),
                new Reply.Ended(MonitorResult.error("Could not re-open file descriptor.")),
                new Reply.StatusEntry(st), new Reply.StatusEntry(failed), new Reply.StatusEnd(2))) {
            assertEquals(r, Wire.decodeReply(Wire.encode(r)));
        }
    }

    @Test
    void aLongMessageIsClippedToFit() throws ProtocolException {
        Reply r = Wire.decodeReply(Wire.encode(new Reply.Refused("é".repeat(5000))));
        String m = ((Reply.Refused) r).message();
        assertTrue(m.endsWith("...") && m.getBytes(StandardCharsets.UTF_8).length <= Wire.MAX_TEXT_BYTES, m);
    }

    @Test
    void metricsTravelInPiecesCutAtCharacters() throws ProtocolException {
        assertEquals(new Request.Metrics(true), Wire.decodeRequest(Wire.encode(new Request.Metrics(true))));
        String text = "dmfilemapd_x{path=\"é😀\"} 1\n".repeat(2000);
        StringBuilder back = new StringBuilder();
        for (String c : Wire.chunks(text)) {
            assertTrue(c.getBytes(StandardCharsets.UTF_8).length <= Wire.MAX_CHUNK_BYTES);
            back.append(((Reply.Text) Wire.decodeReply(Wire.encode(new Reply.Text(c)))).chunk());
        }
        assertEquals(text, back.toString());
        assertEquals(List.of(), Wire.chunks(""));
    }

    @Test
    void aPathLongerThanPathMaxCannotBeSent() {
        assertThrows(IllegalArgumentException.class,
                () -> Wire.encode(new Request.Monitor(0, "/" + "a".repeat(Wire.MAX_PATH_BYTES), Mode.INODE, false, 0)));
    }

    private static String refusal(byte[] data) {
        return assertThrows(ProtocolException.class, () -> Wire.decodeRequest(data)).getMessage();
    }

    @Test
    void foreignOrDamagedMessagesAreRefusedWithTheReason() {
        byte[] good = Wire.encode(MONITOR);
        assertEquals("not a dmfilemapd message", refusal(new byte[0]));
        assertEquals("not a dmfilemapd message", refusal("GET / HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII)));
        byte[] other = good.clone();
        other[4] = (byte) (Wire.VERSION + 1);
        assertEquals("protocol version " + (Wire.VERSION + 1) + ", this side speaks " + Wire.VERSION, refusal(other));
        byte[] type = good.clone();
        type[5] = 99;
        assertEquals("unknown request type 99", refusal(type));
        assertEquals("unknown request type 64", refusal(Wire.encode(new Reply.Accepted(1, 1))),
                "a reply is not a request");
        for (int n = 6; n < good.length; n++) {
            assertEquals("message truncated", refusal(Arrays.copyOf(good, n)), "cut at " + n);
        }
        assertEquals("1 unexpected byte(s) after the message", refusal(Arrays.copyOf(good, good.length + 1)));
    }

    /** A monitor request built field by field, to damage one field. */
    private static byte[] monitor(long group, byte[] path, int mode, int fg, int verbose) {
        ByteBuffer b = ByteBuffer.allocate(6 + 8 + 2 + path.length + 3);
        b.putInt(Wire.MAGIC).put((byte) Wire.VERSION).put((byte) 1).putLong(group).putShort((short) path.length).put(path)
                .put((byte) mode).put((byte) fg).put((byte) verbose);
        return b.array();
    }

    @Test
    void badFieldsAreRefusedWithTheField() {
        byte[] p = "/x".getBytes(StandardCharsets.UTF_8);
        assertEquals("/x", ((Request.Monitor) assertDoesDecode(monitor(0, p, 0, 0, 0))).path());
        assertEquals("group id 18446744073709551615 out of range", refusal(monitor(-1, p, 0, 0, 0)));
        assertEquals("path is not absolute", refusal(monitor(0, "x".getBytes(StandardCharsets.UTF_8), 0, 0, 0)));
        assertEquals("path is not UTF-8", refusal(monitor(0, new byte[] {'/', (byte) 0xff}, 0, 0, 0)));
        assertEquals("path contains a NUL byte", refusal(monitor(0, new byte[] {'/', 0, 'x'}, 0, 0, 0)));
        assertEquals("unknown mode 2", refusal(monitor(0, p, 2, 0, 0)));
        assertEquals("foreground 2 is not 0 or 1", refusal(monitor(0, p, 0, 2, 0)));
        assertEquals("verbose 4 out of range 0..3", refusal(monitor(0, p, 0, 0, 4)));
        byte[] huge = new byte[Wire.MAX_PATH_BYTES + 1];
        huge[0] = '/';
        assertTrue(huge.length + 20 < UnixSocket.MAX_MESSAGE);
        assertEquals("path of 4096 bytes, more than 4095", refusal(monitor(0, huge, 0, 0, 0)));
        byte[] lying = monitor(0, p, 0, 0, 0);
        ByteBuffer.wrap(lying).putShort(14, (short) 500); // a length beyond the message
        assertEquals("message truncated", refusal(lying));
    }

    private static Request assertDoesDecode(byte[] data) {
        try {
            return Wire.decodeRequest(data);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }
}
