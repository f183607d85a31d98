package org.raftengine.core.wire;

/**
 * Fills one array whose exact size the caller computed beforehand, big-endian. Writing past the end is
 * an {@link ArrayIndexOutOfBoundsException} and stopping short fails {@link #finish()}: both mean the size
 * computation and the writing disagree, a bug to surface rather than a frame to send.
 */
final class FrameWriter {

    private final byte[] buf;
    private int pos;

    FrameWriter(int size) {
        buf = new byte[size];
    }

    /** Encoded size of a non-null string: length prefix and UTF-8 bytes. */
    static long stringSize(String s) {
        return 4 + Utf8.encodedLength(s);
    }

    /** Encoded size of a string that may be {@code null}. */
    static long nullableStringSize(String s) {
        return s == null ? 4 : stringSize(s);
    }

    /** Encoded size of a length-prefixed byte array. */
    static long bytesSize(byte[] b) {
        return 4L + b.length;
    }

    FrameWriter u8(int v) {
        buf[pos++] = (byte) v;
        return this;
    }

    FrameWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    FrameWriter i32(int v) {
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
        pos += 4;
        return this;
    }

    FrameWriter i64(long v) {
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    /** Bytes as they are, without a length. */
    FrameWriter raw(byte[] b) {
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    /** A length-prefixed byte array. */
    FrameWriter bytes(byte[] b) {
        return i32(b.length).raw(b);
    }

    /** A length-prefixed UTF-8 string; {@code s} must not be {@code null}. */
    FrameWriter string(String s) {
        int start = pos;
        // The length is only known once written; backfilling it spares measuring the string twice.
        pos += 4;
        pos = Utf8.encode(s, buf, pos);
        int end = pos;
        pos = start;
        i32(end - start - 4);
        pos = end;
        return this;
    }

    /** A string that may be {@code null}, which is written as length -1. */
    FrameWriter nullableString(String s) {
        return s == null ? i32(-1) : string(s);
    }

    /** The filled array. */
    byte[] finish() {
        if (pos != buf.length) {
            throw new IllegalStateException("frame sized at " + buf.length + " bytes but " + pos + " written");
        }
        return buf;
    }
}
