package org.raftengine.core.wire;

import java.util.Objects;
import org.raftengine.core.wire.MalformedFrameException.Reason;

/**
 * Encodes a {@link SessionCommand} as the data of a
 * {@link org.raftengine.core.spi.EntryType#SESSION_COMMAND SESSION_COMMAND} entry or a forwarded command, and
 * decodes it back. The payload is big-endian:
 * <pre>
 *   version               1 byte, {@value #FORMAT_VERSION}
 *   flags                 1 byte: bit 0 opens (the first submission of its sequence); the others 0
 *   clientId              int32 byte length, then UTF-8
 *   sequence              int64
 *   lowestUnanswered      int64
 *   leaderTimeMillis      int64
 *   command               every remaining byte
 * </pre>
 * The version byte comes first because these entries stay in logs across upgrades. The command is not
 * length-prefixed: it runs to the end, so the header costs {@code 30} bytes plus the id.
 *
 * <p>Stateless; all methods are static and thread-safe.
 */
public final class SessionCommandCodec {

    /** The payload format this codec writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /** The longest client id, in UTF-8 bytes: ids are small, and a bound keeps a bad length harmless. */
    public static final int MAX_CLIENT_ID_BYTES = 256;

    private static final int FLAG_OPENS = 1;

    private SessionCommandCodec() {
    }

    /** The bytes the header of {@code c} takes besides its command. */
    public static long headerSize(String clientId) {
        return 1 + 1 + FrameWriter.stringSize(clientId) + 8 + 8 + 8;
    }

    /**
     * Encodes a session command.
     *
     * @throws IllegalArgumentException if the client id is longer than {@link #MAX_CLIENT_ID_BYTES} or the
     *                                  whole would not fit in an array
     */
    public static byte[] encode(SessionCommand c) {
        Objects.requireNonNull(c, "session command");
        long header = headerSize(c.clientId());
        if (header - 30 > MAX_CLIENT_ID_BYTES) {
            throw new IllegalArgumentException("client id of " + (header - 30) + " bytes; at most "
                    + MAX_CLIENT_ID_BYTES);
        }
        long size = header + c.command().length;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("session command needs " + size + " bytes, too many for an array");
        }
        return new FrameWriter((int) size).u8(FORMAT_VERSION).u8(c.opens() ? FLAG_OPENS : 0).string(c.clientId()).i64(c.sequence())
                .i64(c.lowestUnanswered()).i64(c.leaderTimeMillis()).raw(c.command()).finish();
    }

    /**
     * Decodes a session command.
     *
     * @throws MalformedFrameException {@link Reason#TRUNCATED} if the data ends inside the header,
     *                                 {@link Reason#UNKNOWN_VERSION} for another format version, and
     *                                 {@link Reason#OVERSIZE} for an id over {@link #MAX_CLIENT_ID_BYTES}, and
     *                                 {@link Reason#INVALID} for unknown flags, a bad id, a sequence that is not
     *                                 positive, or a lowest unanswered sequence outside 1..sequence
     */
    public static SessionCommand decode(byte[] data) {
        FrameReader r = new FrameReader(data, 0, data.length, MAX_CLIENT_ID_BYTES);
        int version = r.u8("version");
        if (version != FORMAT_VERSION) {
            throw new MalformedFrameException(Reason.UNKNOWN_VERSION,
                    "session command format " + version + ", this codec reads " + FORMAT_VERSION);
        }
        int flags = r.u8("flags");
        if ((flags & ~FLAG_OPENS) != 0) {
            throw new MalformedFrameException(Reason.INVALID, "unknown session command flags " + flags);
        }
        String clientId = r.string("client id");
        long sequence = r.i64("sequence");
        long lowest = r.i64("lowest unanswered");
        long time = r.i64("leader time");
        try {
            return new SessionCommand(clientId, sequence, lowest, time, (flags & FLAG_OPENS) != 0, r.rest());
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(Reason.INVALID, "not a valid session command: " + e.getMessage(), e);
        }
    }
}
