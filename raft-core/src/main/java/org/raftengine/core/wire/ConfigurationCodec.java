package org.raftengine.core.wire;

import java.util.List;
import java.util.Objects;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.Member;
import org.raftengine.core.wire.MalformedFrameException.Reason;

/**
 * Encodes a {@link ClusterConfiguration} as the payload of a
 * {@link org.raftengine.core.spi.EntryType#CONFIGURATION CONFIGURATION} log entry, and decodes it back.
 *
 * <p>The payload is big-endian:
 * <pre>
 *   version                 1 byte, {@value #FORMAT_VERSION}
 *   incarnation             int64 (version 4 only)
 *   member count            int32, then per member:
 *     id                    int32 byte length, then UTF-8
 *     storageId             int64
 *     voter                 u8 (version 4 only: 1 voter, 0 learner)
 *   settings                heartbeatMillis i64, electionTimeoutMinMillis i64, electionTimeoutMaxMillis i64,
 *                           maxEntriesPerAppend i32, maxBytesPerAppend i64, maxInflightAppends i32,
 *                           maxUncommittedBytes i64, maxApplyBacklog i64, preVote u8, checkQuorum u8,
 *                           sessionTimeoutMillis i64 (versions 2 and 3), leaseReads u8 (version 3 only)
 * </pre>
 * The version byte comes first because configuration entries stay in logs and snapshots across upgrades:
 * a later release must be able to tell which layout an old entry has. Version 1, written before sessions,
 * has no session time-out; it reads as {@link ClusterSettings#DEFAULT_SESSION_TIMEOUT_MILLIS}. Version 2 has no
 * lease reads: they read as off. Versions 1 to 3 have no learners and no incarnation: every member reads as a
 * voter, the incarnation as 0 (unknown, never checked).
 *
 * <p>Stateless; all methods are static and thread-safe.
 */
public final class ConfigurationCodec {

    /** The payload format this codec writes; it reads this one and version 1. */
    public static final int FORMAT_VERSION = 4;

    /** The third format: no learners, no incarnation. */
    private static final int VERSION_WITHOUT_LEARNERS = 3;

    /** The second format: settings without lease reads (off). */
    private static final int VERSION_WITHOUT_LEASES = 2;

    /** The first format: settings without a session time-out. */
    private static final int VERSION_WITHOUT_SESSIONS = 1;

    private static final int SETTINGS_BYTES = 8 + 8 + 8 + 4 + 8 + 4 + 8 + 8 + 1 + 1 + 8 + 1;

    /** Id length, at least one byte of id (ids are never blank), storage id. */
    private static final int MIN_MEMBER_BYTES = 4 + 1 + 8;

    private ConfigurationCodec() {
    }

    /**
     * Encodes a configuration.
     *
     * @param c the configuration to store in a log entry
     * @return a new array holding exactly the payload
     * @throws NullPointerException     if {@code c} is {@code null}
     * @throws IllegalArgumentException if the encoding would not fit in an array
     */
    public static byte[] encode(ClusterConfiguration c) {
        Objects.requireNonNull(c, "configuration");
        long size = 1 + 8 + 4 + SETTINGS_BYTES;
        for (Member m : c.members()) {
            size += FrameWriter.stringSize(m.id()) + 8 + 1;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("configuration needs " + size + " bytes, too many for an array");
        }
        FrameWriter w = new FrameWriter((int) size).u8(FORMAT_VERSION).i64(c.incarnation()).i32(c.members().size());
        for (Member m : c.members()) {
            w.string(m.id()).i64(m.storageId()).bool(m.voter());
        }
        ClusterSettings s = c.settings();
        return w.i64(s.heartbeatMillis()).i64(s.electionTimeoutMinMillis()).i64(s.electionTimeoutMaxMillis())
                .i32(s.maxEntriesPerAppend()).i64(s.maxBytesPerAppend()).i32(s.maxInflightAppends())
                .i64(s.maxUncommittedBytes()).i64(s.maxApplyBacklog()).bool(s.preVote()).bool(s.checkQuorum())
                .i64(s.sessionTimeoutMillis()).bool(s.leaseReads()).finish();
    }

    /**
     * Decodes a configuration payload.
     *
     * @param data the payload of a configuration entry
     * @return the configuration it holds
     * @throws MalformedFrameException with reason {@link Reason#TRUNCATED} if the data ends early,
     *                                 {@link Reason#UNKNOWN_VERSION} for a format version other than 1 to 4, and
     *                                 {@link Reason#INVALID} for bad fields, trailing bytes, or values that
     *                                 make no valid configuration (no member, a blank or repeated id,
     *                                 settings that cannot work together)
     * @throws NullPointerException    if {@code data} is {@code null}
     */
    public static ClusterConfiguration decode(byte[] data) {
        // No size limit of its own: the entry holding it was already bounded by the frame or the log.
        FrameReader r = new FrameReader(data, 0, data.length, Long.MAX_VALUE);
        int version = r.u8("version");
        if (version < VERSION_WITHOUT_SESSIONS || version > FORMAT_VERSION) {
            throw new MalformedFrameException(Reason.UNKNOWN_VERSION, "configuration format " + version
                    + ", this codec reads " + VERSION_WITHOUT_SESSIONS + " to " + FORMAT_VERSION);
        }
        try {
            long incarnation = version > VERSION_WITHOUT_LEARNERS ? r.i64("incarnation") : 0;
            int count = r.count(MIN_MEMBER_BYTES, "member count");
            Member[] members = new Member[count];
            for (int i = 0; i < count; i++) {
                String id = r.string("member id");
                long storageId = r.i64("member storageId");
                members[i] = new Member(id, storageId, version <= VERSION_WITHOUT_LEARNERS || r.bool("member voter"));
            }
            ClusterSettings settings = new ClusterSettings(r.i64("heartbeatMillis"),
                    r.i64("electionTimeoutMinMillis"), r.i64("electionTimeoutMaxMillis"),
                    r.i32("maxEntriesPerAppend"), r.i64("maxBytesPerAppend"), r.i32("maxInflightAppends"),
                    r.i64("maxUncommittedBytes"), r.i64("maxApplyBacklog"), r.bool("preVote"),
                    r.bool("checkQuorum"), version == VERSION_WITHOUT_SESSIONS
                            ? ClusterSettings.DEFAULT_SESSION_TIMEOUT_MILLIS : r.i64("sessionTimeoutMillis"),
                    version > VERSION_WITHOUT_LEASES && r.bool("leaseReads"));
            r.expectEnd("configuration");
            return new ClusterConfiguration(List.of(members), settings, incarnation);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(Reason.INVALID, "not a valid configuration: " + e.getMessage(), e);
        }
    }
}
