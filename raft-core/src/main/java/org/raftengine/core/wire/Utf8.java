package org.raftengine.core.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 measured and written straight into a frame, so encoding never allocates an intermediate array
 * per string, and read back strictly, so a frame has exactly one valid spelling.
 */
final class Utf8 {

    private Utf8() {
    }

    /**
     * The number of bytes {@link #encode} writes for {@code s}. An unpaired surrogate counts as the single
     * {@code '?'} it is replaced with, as {@link String#getBytes(java.nio.charset.Charset)} does.
     */
    static long encodedLength(String s) {
        long n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (!Character.isSurrogate(c)) {
                n += 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 1;
            }
        }
        return n;
    }

    /** Writes {@code s} as UTF-8 at {@code pos}; returns the position after it. */
    static int encode(String s, byte[] out, int pos) {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[pos++] = (byte) c;
            } else if (c < 0x800) {
                out[pos++] = (byte) (0xC0 | c >>> 6);
                out[pos++] = (byte) (0x80 | c & 0x3F);
            } else if (!Character.isSurrogate(c)) {
                out[pos++] = (byte) (0xE0 | c >>> 12);
                out[pos++] = (byte) (0x80 | c >>> 6 & 0x3F);
                out[pos++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[pos++] = (byte) (0xF0 | cp >>> 18);
                out[pos++] = (byte) (0x80 | cp >>> 12 & 0x3F);
                out[pos++] = (byte) (0x80 | cp >>> 6 & 0x3F);
                out[pos++] = (byte) (0x80 | cp & 0x3F);
            } else {
                out[pos++] = '?';
            }
        }
        return pos;
    }

    /**
     * Decodes {@code len} bytes at {@code off}, rejecting anything that is not well-formed UTF-8 (overlong
     * forms, encoded surrogates, stray continuation bytes), where {@code new String(..., UTF_8)} would
     * silently substitute and let two different frames decode to the same message.
     *
     * @throws MalformedFrameException {@link MalformedFrameException.Reason#INVALID} if it is not UTF-8
     */
    static String decode(byte[] buf, int off, int len, String field) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (buf[i] < 0) {
                return decodeStrict(buf, off, len, field);
            }
        }
        // ASCII, the usual case for ids: Latin-1 decodes it identically and with a plain copy.
        return new String(buf, off, len, StandardCharsets.ISO_8859_1);
    }

    private static String decodeStrict(byte[] buf, int off, int len, String field) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFrameException(MalformedFrameException.Reason.INVALID,
                    field + " is not valid UTF-8", e);
        }
    }
}
