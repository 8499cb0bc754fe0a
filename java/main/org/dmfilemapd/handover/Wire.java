package org.dmfilemapd.handover;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.jni.UnixSocket;

/**
 * The hand-over protocol's encoding: one message per SOCK_SEQPACKET packet, at most
 * {@value UnixSocket#MAX_MESSAGE} bytes: magic {@code DMFM}, version, type, then the fields
 * (big-endian numbers; strings as a 16-bit byte length and UTF-8). Decoding checks every
 * length, range and enum, and that nothing follows the last field: anything else is a
 * {@link ProtocolException} naming the problem, never a partial message.
 */
public final class Wire {
    static final int MAGIC = 0x444d464d; // "DMFM"
    public static final int VERSION = 2;
    /** Linux's PATH_MAX, including the terminating NUL. */
    static final int MAX_PATH_BYTES = 4095;
    static final int MAX_TEXT_BYTES = 2048;
    /** A piece of the metrics text: a message with room for its header. */
    public static final int MAX_CHUNK_BYTES = 7168;

    private static final int MONITOR = 1;
    private static final int STATUS = 2;
    private static final int FORGET = 3;
    private static final int STOP = 4;
    private static final int METRICS = 5;
    private static final int ACCEPTED = 64;
    private static final int REFUSED = 65;
    private static final int ENDED = 66;
    private static final int STATUS_ENTRY = 67;
    private static final int STATUS_END = 68;
    private static final int TEXT = 69;

    private Wire() {
    }

    public static byte[] encode(Request r) {
        Out o = new Out();
        if (r instanceof Request.Monitor m) {
            o.header(MONITOR).i64(m.groupId()).str(m.path(), MAX_PATH_BYTES).u8(m.mode().ordinal())
                    .u8(m.foreground() ? 1 : 0).u8(m.verbose());
        } else if (r instanceof Request.Status) {
            o.header(STATUS);
        } else if (r instanceof Request.Forget f) {
            o.header(FORGET).str(f.target(), MAX_PATH_BYTES);
        } else if (r instanceof Request.Stop) {
            o.header(STOP);
        } else if (r instanceof Request.Metrics m) {
            o.header(METRICS).u8(m.openMetrics() ? 1 : 0);
        }
        return o.bytes();
    }

    public static byte[] encode(Reply r) {
        Out o = new Out();
        if (r instanceof Reply.Accepted a) {
            o.header(ACCEPTED).i64(a.servicePid()).i64(a.groupId());
        } else if (r instanceof Reply.Refused f) {
            o.header(REFUSED).str(clip(f.message()), MAX_TEXT_BYTES);
        } else if (r instanceof Reply.Ended e) {
            MonitorResult res = e.result();
            o.header(ENDED).u8(res.status()).u8(res.kind().ordinal()).str(clip(res.message()), MAX_TEXT_BYTES);
        } else if (r instanceof Reply.StatusEntry s) {
            MonitorStatus st = s.status();
            o.header(STATUS_ENTRY).str(st.path(), MAX_PATH_BYTES).u8(st.mode().ordinal()).i32(st.devMajor())
                    .i32(st.devMinor()).i64(st.ino()).i64(st.groupId()).i32(st.regionCount())
                    .i64(st.lastUpdateEpochMillis()).i64(st.updates()).u8(st.lastError() == null ? 0 : 1)
                    .str(st.lastError() == null ? "" : clip(st.lastError()), MAX_TEXT_BYTES).i64(st.readBytes())
                    .i64(st.writtenBytes());
        } else if (r instanceof Reply.StatusEnd e) {
            o.header(STATUS_END).i32(e.count());
        } else if (r instanceof Reply.Text t) {
            o.header(TEXT).str(t.chunk(), MAX_CHUNK_BYTES);
        }
        return o.bytes();
    }

    public static Request decodeRequest(byte[] data) throws ProtocolException {
        In in = new In(data);
        int type = in.header();
        Request r = switch (type) {
            case MONITOR -> {
                long group = in.nonNegative64("group id");
                String path = in.str("path", MAX_PATH_BYTES);
                if (!path.startsWith("/")) {
                    throw new ProtocolException("path is not absolute");
                }
                Mode mode = in.choice("mode", Mode.values());
                boolean fg = in.flag("foreground");
                int verbose = in.u8();
                if (verbose > 3) {
                    throw new ProtocolException("verbose " + verbose + " out of range 0..3");
                }
                yield new Request.Monitor(group, path, mode, fg, verbose);
            }
            case STATUS -> new Request.Status();
            case FORGET -> {
                String target = in.str("forget target", MAX_PATH_BYTES);
                if (target.isEmpty()) {
                    throw new ProtocolException("empty forget target");
                }
                yield new Request.Forget(target);
            }
            case STOP -> new Request.Stop();
            case METRICS -> new Request.Metrics(in.flag("openmetrics flag"));
            default -> throw new ProtocolException("unknown request type " + type);
        };
        in.end();
        return r;
    }

    public static Reply decodeReply(byte[] data) throws ProtocolException {
        In in = new In(data);
        int type = in.header();
        Reply r = switch (type) {
            case ACCEPTED -> new Reply.Accepted(in.nonNegative64("pid"), in.nonNegative64("group id"));
            case REFUSED -> new Reply.Refused(in.str("message", MAX_TEXT_BYTES));
            case ENDED -> {
                int status = in.u8();
                MonitorResult.Kind kind = in.choice("result kind", MonitorResult.Kind.values());
                yield new Reply.Ended(new MonitorResult(status, in.str("message", MAX_TEXT_BYTES), kind));
            }
            case STATUS_ENTRY -> {
                String path = in.str("path", MAX_PATH_BYTES);
                Mode mode = in.choice("mode", Mode.values());
                int major = in.i32();
                int minor = in.i32();
                long ino = in.i64();
                long group = in.nonNegative64("group id");
                int regions = in.i32();
                long last = in.i64();
                long updates = in.i64();
                boolean hasError = in.flag("error flag");
                String error = in.str("last error", MAX_TEXT_BYTES);
                long read = in.i64();
                long written = in.i64();
                yield new Reply.StatusEntry(new MonitorStatus(path, mode, major, minor, ino, group, regions, last,
                        updates, hasError ? error : null, read, written));
            }
            case STATUS_END -> new Reply.StatusEnd(in.i32());
            case TEXT -> new Reply.Text(in.str("text", MAX_CHUNK_BYTES));
            default -> throw new ProtocolException("unknown reply type " + type);
        };
        in.end();
        return r;
    }

    /** Long texts (a libdm message) are cut to what a message can carry, at a character boundary. */
    private static String clip(String s) {
        if (s == null) {
            return "";
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_TEXT_BYTES) {
            return s;
        }
        int end = MAX_TEXT_BYTES - 3;
        while (end > 0 && (b[end] & 0xc0) == 0x80) {
            end--;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8) + "...";
    }

    /** A text in pieces of at most {@link #MAX_CHUNK_BYTES} bytes of UTF-8, cut at character boundaries. */
    public static List<String> chunks(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < b.length) {
            int end = Math.min(b.length, start + MAX_CHUNK_BYTES);
            while (end < b.length && (b[end] & 0xc0) == 0x80) {
                end--;
            }
            out.add(new String(b, start, end - start, StandardCharsets.UTF_8));
            start = end;
        }
        return out;
    }

    private static final class Out {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        private final DataOutputStream out = new DataOutputStream(buf);

        Out header(int type) {
            return i32(MAGIC).u8(VERSION).u8(type);
        }

        Out u8(int v) {
            try {
                out.writeByte(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a byte array does not fail
            }
            return this;
        }

        Out i32(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out i64(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out str(String s, int max) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > max) {
                throw new IllegalArgumentException("string of " + b.length + " bytes, more than " + max);
            }
            try {
                out.writeShort(b.length);
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        byte[] bytes() {
            byte[] b = buf.toByteArray();
            if (b.length > UnixSocket.MAX_MESSAGE) {
                throw new IllegalArgumentException("message of " + b.length + " bytes");
            }
            return b;
        }
    }

    private static final class In {
        private final ByteBuffer b;

        In(byte[] data) {
            b = ByteBuffer.wrap(data);
        }

        int header() throws ProtocolException {
            if (b.remaining() < 6 || b.getInt() != MAGIC) {
                throw new ProtocolException("not a dmfilemapd message");
            }
            int version = u8();
            if (version != VERSION) {
                throw new ProtocolException("protocol version " + version + ", this side speaks " + VERSION);
            }
            return u8();
        }

        int u8() throws ProtocolException {
            try {
                return b.get() & 0xff;
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        int i32() throws ProtocolException {
            try {
                return b.getInt();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        long i64() throws ProtocolException {
            try {
                return b.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        long nonNegative64(String what) throws ProtocolException {
            long v = i64();
            if (v < 0) {
                throw new ProtocolException(what + " " + Long.toUnsignedString(v) + " out of range");
            }
            return v;
        }

        boolean flag(String what) throws ProtocolException {
            int v = u8();
            if (v > 1) {
                throw new ProtocolException(what + " " + v + " is not 0 or 1");
            }
            return v == 1;
        }

        <E extends Enum<E>> E choice(String what, E[] values) throws ProtocolException {
            int v = u8();
            if (v >= values.length) {
                throw new ProtocolException("unknown " + what + " " + v);
            }
            return values[v];
        }

        String str(String what, int max) throws ProtocolException {
            int len;
            try {
                len = b.getShort() & 0xffff;
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
            if (len > max) {
                throw new ProtocolException(what + " of " + len + " bytes, more than " + max);
            }
            if (len > b.remaining()) {
                throw truncated();
            }
            ByteBuffer slice = b.slice(b.position(), len);
            b.position(b.position() + len);
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice);
                String s = chars.toString();
                if (s.indexOf('\0') >= 0) {
                    throw new ProtocolException(what + " contains a NUL byte");
                }
                return s;
            } catch (CharacterCodingException e) {
                throw new ProtocolException(what + " is not UTF-8");
            }
        }

        void end() throws ProtocolException {
            if (b.hasRemaining()) {
                throw new ProtocolException(b.remaining() + " unexpected byte(s) after the message");
            }
        }

        private static ProtocolException truncated() {
            return new ProtocolException("message truncated");
        }
    }
}
