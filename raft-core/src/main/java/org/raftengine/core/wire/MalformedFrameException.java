package org.raftengine.core.wire;

import java.util.Objects;

/**
 * Thrown when bytes cannot be decoded: by {@link WireCodec#decode} for a frame and by
 * {@link ConfigurationCodec#decode} for a configuration payload.
 *
 * <p>It is the only exception decoding throws for bad input, whatever the bytes, so a transport can
 * drop a bad frame with a single {@code catch} and never be brought down by a faulty or hostile peer.
 */
public final class MalformedFrameException extends RuntimeException {

    /** Why the bytes were rejected. */
    public enum Reason {
        /** The bytes end before the content they declare (or before a fixed-size field). */
        TRUNCATED,
        /** The magic or the format version is not one this codec reads. */
        UNKNOWN_VERSION,
        /** The message type code is not one this codec knows. */
        UNKNOWN_TYPE,
        /** The frame belongs to another cluster. */
        WRONG_CLUSTER,
        /**
         * The frame is longer than the codec's limit, or declares a length or count that no frame within
         * the limit could hold.
         */
        OVERSIZE,
        /**
         * A field holds a value that is not allowed: a negative length or count, bytes that are not UTF-8,
         * an unknown entry type or result kind, a boolean other than 0 or 1, trailing bytes, an entry that
         * fails its checksum, or values the decoded object refuses.
         */
        INVALID
    }

    private final Reason reason;

    /**
     * @param reason  why the bytes were rejected
     * @param message what exactly was wrong, for logs
     */
    public MalformedFrameException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * @param reason  why the bytes were rejected
     * @param message what exactly was wrong, for logs
     * @param cause   the lower-level failure, or {@code null}
     */
    public MalformedFrameException(Reason reason, String message, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason") + ": " + message, cause);
        this.reason = reason;
    }

    /** Why the bytes were rejected. */
    public Reason reason() {
        return reason;
    }
}
