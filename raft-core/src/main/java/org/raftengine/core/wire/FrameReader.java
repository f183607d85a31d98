package org.raftengine.core.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.raftengine.core.wire.MalformedFrameException.Reason;

/**
 * A cursor over a range of an array, big-endian. Every read checks the bytes left first and every
 * declared length or count is checked against them before anything is allocated, so no input can make
 * it throw anything but {@link MalformedFrameException} or allocate more than the input's size.
 */
final class FrameReader {

    private final byte[] buf;
    private final int end;
    private final long maxDeclaredBytes;
    private int pos;

    /**
     * @param maxDeclaredBytes declared contents larger than this are {@link Reason#OVERSIZE} rather than
     *                         {@link Reason#TRUNCATED}: no acceptable input could hold them
     */
    FrameReader(byte[] buf, int off, int len, long maxDeclaredBytes) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.maxDeclaredBytes = maxDeclaredBytes;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n, String field) {
        if (end - pos < n) {
            throw new MalformedFrameException(Reason.TRUNCATED,
                    "input ends within " + field + " (" + (end - pos) + " of " + n + " bytes left)");
        }
    }

    int u8(String field) {
        need(1, field);
        return buf[pos++] & 0xFF;
    }

    /** A boolean byte; only 0 and 1 are accepted, so every message has a single encoding. */
    boolean bool(String field) {
        int b = u8(field);
        if (b > 1) {
            throw new MalformedFrameException(Reason.INVALID, field + " is " + b + ", not a boolean");
        }
        return b == 1;
    }

    int i32(String field) {
        need(4, field);
        int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8
                | buf[pos + 3] & 0xFF;
        pos += 4;
        return v;
    }

    long i64(String field) {
        need(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | buf[pos + i] & 0xFF;
        }
        pos += 8;
        return v;
    }

    /**
     * A count of elements that take at least {@code minElementBytes} each, checked against the bytes
     * left so that the caller may size a collection by it.
     */
    int count(int minElementBytes, String field) {
        return declared(i32(field), minElementBytes, field);
    }

    private int declared(int n, int unitBytes, String field) {
        if (n < 0) {
            throw new MalformedFrameException(Reason.INVALID, field + " is negative (" + n + ")");
        }
        long bytes = (long) n * unitBytes;
        if (bytes > maxDeclaredBytes) {
            throw new MalformedFrameException(Reason.OVERSIZE,
                    field + " declares " + n + " (" + bytes + " bytes), over the limit of " + maxDeclaredBytes);
        }
        if (bytes > end - pos) {
            throw new MalformedFrameException(Reason.TRUNCATED,
                    field + " declares " + n + " (" + bytes + " bytes) but " + (end - pos) + " bytes are left");
        }
        return n;
    }

    /** A length-prefixed byte array, copied out. */
    byte[] bytes(String field) {
        int n = declared(i32(field), 1, field);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    /** Every byte left, copied out: a payload that runs to the end (a session command's command). */
    byte[] rest() {
        byte[] b = Arrays.copyOfRange(buf, pos, end);
        pos = end;
        return b;
    }

    /** A length-prefixed UTF-8 string that must be present. */
    String string(String field) {
        int n = declared(i32(field), 1, field);
        String s = Utf8.decode(buf, pos, n, field);
        pos += n;
        return s;
    }

    /** A length-prefixed UTF-8 string, or {@code null} for length -1. */
    String nullableString(String field) {
        int n = i32(field);
        if (n == -1) {
            return null;
        }
        declared(n, 1, field);
        String s = Utf8.decode(buf, pos, n, field);
        pos += n;
        return s;
    }

    /**
     * Reads a length-prefixed string and compares its bytes with {@code expected}, without decoding or
     * allocating when they match: used for the cluster id every frame carries.
     *
     * @return {@code null} if the bytes are exactly {@code expected}, otherwise what was found, decoded
     *         leniently and shortened, for the error message
     */
    String mismatch(byte[] expected, String field) {
        int n = declared(i32(field), 1, field);
        int start = pos;
        pos += n;
        if (Arrays.equals(buf, start, start + n, expected, 0, expected.length)) {
            return null;
        }
        int shown = Math.min(n, 64);
        String found = new String(buf, start, shown, StandardCharsets.UTF_8);
        return shown < n ? found + "..." : found;
    }

    /** Fails unless every byte was read: trailing bytes would mean two encodings of one message. */
    void expectEnd(String what) {
        if (pos != end) {
            throw new MalformedFrameException(Reason.INVALID,
                    (end - pos) + " trailing bytes after the " + what);
        }
    }
}
