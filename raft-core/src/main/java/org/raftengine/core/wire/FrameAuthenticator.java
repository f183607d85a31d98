package org.raftengine.core.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.raftengine.core.wire.MalformedFrameException.Reason;

/**
 * Optional HMAC-SHA256 authentication of frames, for transports that cross a shared medium (a broker
 * other applications use too): every frame is signed with a secret shared by the cluster, and a frame
 * that is unsigned or signed with another key is refused before it is decoded.
 *
 * <p>A signed frame is the codec's frame followed by a {@value #TAG_BYTES}-byte tag,
 * {@code HMAC-SHA256(key, frame)}. The tag covers the whole frame, cluster id, sender and target
 * included, so a signed frame cannot be re-addressed. It does not stop a replay of an old frame; Raft
 * survives duplicated and delayed messages anyway (every message names its term, index or round).
 *
 * <p><b>Key rotation.</b> Frames are signed with the current key; frames signed with the current or the
 * previous key are accepted. To move a cluster from key A to key B without a moment where two nodes refuse
 * each other: first give every node current A and previous B (it now also accepts B), then every node
 * current B and previous A, then (when all sign with B) drop A. Rolling straight to current B, previous A
 * also works, but a node still on A alone refuses the frames of the nodes already moved until it moves too.
 *
 * <p>Keys are copied in and never appear in {@link #toString()}, messages or exceptions. Thread-safe:
 * one instance serves every sending and receiving thread.
 */
public final class FrameAuthenticator {

    /** The length of the tag appended to every signed frame: an HMAC-SHA256, 32 bytes. */
    public static final int TAG_BYTES = 32;

    /** The shortest key accepted, in bytes; RFC 2104 recommends at least the hash length (32). */
    public static final int MIN_KEY_BYTES = 16;

    private static final String ALGORITHM = "HmacSHA256";

    private final Mac current;
    private final Mac previous;

    /**
     * Signs and accepts with {@code currentKey} only.
     *
     * @throws IllegalArgumentException if the key is shorter than {@value #MIN_KEY_BYTES} bytes
     */
    public FrameAuthenticator(byte[] currentKey) {
        this(currentKey, null);
    }

    /**
     * Signs with {@code currentKey}; accepts frames signed with either key.
     *
     * @param currentKey  the key frames are signed with
     * @param previousKey a key still accepted during a rotation, or {@code null} for none
     * @throws IllegalArgumentException if a key is shorter than {@value #MIN_KEY_BYTES} bytes
     * @throws NullPointerException     if {@code currentKey} is null
     */
    public FrameAuthenticator(byte[] currentKey, byte[] previousKey) {
        this.current = mac(Objects.requireNonNull(currentKey, "currentKey"), "current");
        this.previous = previousKey == null ? null : mac(previousKey, "previous");
    }

    /**
     * An authenticator from secrets given as text (from configuration), each used as its UTF-8 bytes.
     *
     * @param currentSecret  the secret frames are signed with
     * @param previousSecret a secret still accepted during a rotation; {@code null} or empty for none
     * @throws IllegalArgumentException if a secret is shorter than {@value #MIN_KEY_BYTES} bytes in UTF-8
     */
    public static FrameAuthenticator fromSecrets(String currentSecret, String previousSecret) {
        Objects.requireNonNull(currentSecret, "currentSecret");
        byte[] previousKey = previousSecret == null || previousSecret.isEmpty() ? null
                : previousSecret.getBytes(StandardCharsets.UTF_8);
        return new FrameAuthenticator(currentSecret.getBytes(StandardCharsets.UTF_8), previousKey);
    }

    private static Mac mac(byte[] key, String which) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the " + which + " key has " + key.length
                    + " bytes; at least " + MIN_KEY_BYTES + " are required");
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            // Every Java platform must provide HmacSHA256: this is a broken JDK, not bad input.
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    /** True if a previous key is still accepted. */
    public boolean hasPreviousKey() {
        return previous != null;
    }

    /**
     * Signs a frame.
     *
     * @param frame a frame of the codec (or any bytes)
     * @return a new array: {@code frame} followed by its {@value #TAG_BYTES}-byte tag
     */
    public byte[] sign(byte[] frame) {
        Objects.requireNonNull(frame, "frame");
        byte[] signed = Arrays.copyOf(frame, frame.length + TAG_BYTES);
        Mac mac = fresh(current);
        mac.update(frame);
        try {
            mac.doFinal(signed, frame.length);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("the tag does not fit", e); // cannot happen: room was made
        }
        return signed;
    }

    /**
     * Checks the tag at the end of the {@code len} bytes at {@code off}.
     *
     * @return the length of the authenticated frame, which starts at {@code off}: {@code len - TAG_BYTES}
     * @throws MalformedFrameException with reason {@link Reason#INVALID} if the bytes are too short to
     *                                 carry a tag, or the tag matches neither key
     * @throws IndexOutOfBoundsException if the range is not within {@code buf}
     */
    public int verify(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len < TAG_BYTES) {
            throw new MalformedFrameException(Reason.INVALID,
                    "frame not authenticated: " + len + " bytes cannot carry a " + TAG_BYTES + "-byte tag");
        }
        int frameLen = len - TAG_BYTES;
        if (matches(current, buf, off, frameLen) || previous != null && matches(previous, buf, off, frameLen)) {
            return frameLen;
        }
        throw new MalformedFrameException(Reason.INVALID, "frame not authenticated: its tag matches no accepted key"
                + " (unsigned, or signed with another key)");
    }

    /**
     * Checks a whole signed frame and returns the frame without its tag.
     *
     * @throws MalformedFrameException as {@link #verify(byte[], int, int)}
     */
    public byte[] verify(byte[] signed) {
        return Arrays.copyOf(signed, verify(signed, 0, signed.length));
    }

    private static boolean matches(Mac prototype, byte[] buf, int off, int frameLen) {
        Mac mac = fresh(prototype);
        mac.update(buf, off, frameLen);
        byte[] expected = mac.doFinal();
        byte[] actual = Arrays.copyOfRange(buf, off + frameLen, off + frameLen + TAG_BYTES);
        return MessageDigest.isEqual(expected, actual); // constant time
    }

    /** A Mac of its own for this call: a Mac is not thread-safe, and cloning skips the key set-up. */
    private static Mac fresh(Mac prototype) {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            // Every JDK provider of HmacSHA256 clones; this is a third-party provider that does not.
            throw new IllegalStateException("the " + ALGORITHM + " provider cannot clone a Mac", e);
        }
    }

    /** Says whether a previous key is accepted; never shows a key. */
    @Override
    public String toString() {
        return "FrameAuthenticator[" + ALGORITHM + (previous != null ? ", current and previous key" : ", one key")
                + "]";
    }
}
