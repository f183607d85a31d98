package org.raftengine.core.wire;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.raftengine.core.CommandResult;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.core.message.ForwardCommand;
import org.raftengine.core.message.ForwardResponse;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.core.message.InstallSnapshotResponse;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.ReadIndexRequest;
import org.raftengine.core.message.ReadIndexResponse;
import org.raftengine.core.message.TimeoutNow;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.wire.MalformedFrameException.Reason;

/**
 * Turns {@link RaftMessage}s into self-contained binary frames and back.
 *
 * <p>A frame is big-endian:
 * <pre>
 *   'R' 'F'                 magic (2 bytes)
 *   version                 1 byte, {@value #FORMAT_VERSION}
 *   type                    1 byte: 1 VoteRequest, 2 VoteResponse, 3 AppendEntries,
 *                           4 AppendEntriesResponse, 5 ForwardCommand, 6 ForwardResponse,
 *                           7 InstallSnapshot, 8 InstallSnapshotResponse, 9 TimeoutNow,
 *                           10 ReadIndexRequest, 11 ReadIndexResponse
 *   clusterId, from, to     strings: int32 byte length, then UTF-8
 *   fromStorageId, term     int64 each
 *   body                    by type:
 *     VoteRequest            lastLogIndex i64, lastLogTerm i64, preVote u8, transfer u8, incarnation i64
 *     VoteResponse           preVote u8, granted u8
 *     AppendEntries          prevLogIndex i64, prevLogTerm i64, leaderCommit i64, count i32, then per entry:
 *                              index i64, term i64, type u8, requestId i64, data (i32 length + bytes), checksum i32;
 *                            then round i64, incarnation i64
 *     AppendEntriesResponse  success u8, matchIndex i64, conflictTerm i64, conflictIndex i64, lastIndex i64,
 *                            round i64
 *     ForwardCommand         requestId i64, command (i32 length + bytes)
 *     ForwardResponse        requestId i64, kind u8, then by kind:
 *                              1 Ok: index i64, result (i32 length + bytes)
 *                              2 ApplicationError: index i64, message (nullable string)
 *                              3 Redirect: leaderId (nullable string)
 *                              4 Retry, 5 Indeterminate, 6 Refused: reason (nullable string)
 *     InstallSnapshot        index i64, snapshotTerm i64, configuration (i32 length + ConfigurationCodec bytes),
 *                            totalBytes i64, checksum i32, offset i64, data (i32 length + bytes)
 *     InstallSnapshotResponse index i64, snapshotTerm i64, chunkOffset i64, nextOffset i64, installed u8
 *     TimeoutNow             transferId i64
 *     ReadIndexRequest       requestId i64
 *     ReadIndexResponse      requestId i64, granted u8, readIndex i64
 * </pre>
 * Version 2 added the confirmation rounds of AppendEntries and its response, and types 9 to 11; version 3 the
 * cluster incarnation of VoteRequest and AppendEntries.
 * Booleans are 0 or 1; a nullable string is length -1 when {@code null}. Every frame names its cluster,
 * so a node wired to the wrong cluster is refused at the first frame instead of voting in it.
 *
 * <p>Decoding is strict: each message has exactly one encoding, and anything else (short, unknown,
 * foreign, too large, or with a bad field, an entry failing its checksum, or trailing bytes) is rejected
 * with a {@link MalformedFrameException}, which is all {@link #decode} ever throws for bad bytes. A
 * declared length is checked against the bytes actually present before anything is allocated, so a
 * hostile length cannot exhaust memory.
 *
 * <p>Immutable apart from the rejection counter, which is atomic: one instance serves all threads.
 */
public final class WireCodec {

    /** The frame format this codec writes and the only one it reads. */
    public static final int FORMAT_VERSION = 3;

    /** The frame size limit when none is given: 64 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;

    private static final int MAGIC_0 = 'R';
    private static final int MAGIC_1 = 'F';

    private static final int VOTE_REQUEST = 1;
    private static final int VOTE_RESPONSE = 2;
    private static final int APPEND_ENTRIES = 3;
    private static final int APPEND_ENTRIES_RESPONSE = 4;
    private static final int FORWARD_COMMAND = 5;
    private static final int FORWARD_RESPONSE = 6;
    private static final int INSTALL_SNAPSHOT = 7;
    private static final int INSTALL_SNAPSHOT_RESPONSE = 8;
    private static final int TIMEOUT_NOW = 9;
    private static final int READ_INDEX_REQUEST = 10;
    private static final int READ_INDEX_RESPONSE = 11;

    private static final int RESULT_OK = 1;
    private static final int RESULT_APPLICATION_ERROR = 2;
    private static final int RESULT_REDIRECT = 3;
    private static final int RESULT_RETRY = 4;
    private static final int RESULT_INDETERMINATE = 5;
    private static final int RESULT_REFUSED = 6;

    /** Magic, version, type, storage id and term; the three strings come on top. */
    private static final int FIXED_HEADER_BYTES = 2 + 1 + 1 + 8 + 8;

    /** index, term, type, requestId, data length, checksum: an entry with empty data. */
    private static final int MIN_ENTRY_BYTES = 8 + 8 + 1 + 8 + 4 + 4;

    private final String clusterId;
    private final byte[] clusterIdUtf8;
    private final int maxFrameBytes;
    private final AtomicLong rejectedFrames = new AtomicLong();

    /**
     * A codec for {@code clusterId} with the default frame limit of 64 MiB.
     *
     * @param clusterId the id every frame must carry; frames of another cluster are refused
     * @throws IllegalArgumentException if {@code clusterId} is blank or not well-formed Unicode
     */
    public WireCodec(String clusterId) {
        this(clusterId, DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * A codec for {@code clusterId} that neither writes nor accepts frames longer than
     * {@code maxFrameBytes}.
     *
     * @param clusterId     the id every frame must carry; frames of another cluster are refused
     * @param maxFrameBytes the largest frame, in bytes
     * @throws IllegalArgumentException if {@code clusterId} is blank or not well-formed Unicode (it could
     *                                  not be told apart from another id on the wire), or the limit is not
     *                                  positive
     */
    public WireCodec(String clusterId, int maxFrameBytes) {
        Objects.requireNonNull(clusterId, "clusterId");
        if (clusterId.isBlank()) {
            throw new IllegalArgumentException("a cluster id must not be blank");
        }
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes must be positive, not " + maxFrameBytes);
        }
        byte[] utf8 = new byte[Math.toIntExact(Utf8.encodedLength(clusterId))];
        Utf8.encode(clusterId, utf8, 0);
        if (!Utf8.decode(utf8, 0, utf8.length, "cluster id").equals(clusterId)) {
            throw new IllegalArgumentException("the cluster id holds an unpaired surrogate");
        }
        this.clusterId = clusterId;
        this.clusterIdUtf8 = utf8;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The cluster this codec writes into frames and accepts frames of. */
    public String clusterId() {
        return clusterId;
    }

    /** The largest frame this codec writes or accepts, in bytes. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** How many times {@link #decode} has rejected a frame since this codec was made. */
    public long rejectedFrames() {
        return rejectedFrames.get();
    }

    /**
     * Encodes a message into a new frame of exactly the right size.
     *
     * <p>Strings are written as UTF-8; an unpaired surrogate becomes {@code '?'}, as with
     * {@link String#getBytes(java.nio.charset.Charset)}, so only well-formed strings survive unchanged.
     *
     * @param m the message to send
     * @return a new array holding exactly the frame
     * @throws NullPointerException     if the message, its {@code from} or {@code to}, a forwarded command,
     *                                  a forwarded result or an {@code Ok} result's bytes is {@code null}
     * @throws IllegalArgumentException if the frame would exceed {@link #maxFrameBytes()}: a peer with the
     *                                  same limit would refuse it, and failing here names the real culprit
     */
    public byte[] encode(RaftMessage m) {
        Objects.requireNonNull(m, "message");
        if (m instanceof VoteRequest v) {
            return header(v, VOTE_REQUEST, 8 + 8 + 1 + 1 + 8)
                    .i64(v.lastLogIndex()).i64(v.lastLogTerm()).bool(v.preVote()).bool(v.transfer())
                    .i64(v.incarnation()).finish();
        }
        if (m instanceof VoteResponse v) {
            return header(v, VOTE_RESPONSE, 1 + 1).bool(v.preVote()).bool(v.granted()).finish();
        }
        if (m instanceof AppendEntries a) {
            List<LogEntry> entries = a.entries();
            long body = 8 + 8 + 8 + 4 + 8 + 8;
            for (LogEntry e : entries) {
                body += MIN_ENTRY_BYTES + e.data().length;
            }
            FrameWriter w = header(a, APPEND_ENTRIES, body)
                    .i64(a.prevLogIndex()).i64(a.prevLogTerm()).i64(a.leaderCommit()).i32(entries.size());
            for (LogEntry e : entries) {
                w.i64(e.index()).i64(e.term()).u8(e.type().code()).i64(e.requestId()).bytes(e.data())
                        .i32(e.checksum());
            }
            return w.i64(a.round()).i64(a.incarnation()).finish();
        }
        if (m instanceof AppendEntriesResponse r) {
            return header(r, APPEND_ENTRIES_RESPONSE, 1 + 8 + 8 + 8 + 8 + 8)
                    .bool(r.success()).i64(r.matchIndex()).i64(r.conflictTerm()).i64(r.conflictIndex())
                    .i64(r.lastIndex()).i64(r.round())
                    .finish();
        }
        if (m instanceof ForwardCommand f) {
            byte[] command = Objects.requireNonNull(f.command(), "command");
            return header(f, FORWARD_COMMAND, 8 + FrameWriter.bytesSize(command))
                    .i64(f.requestId()).bytes(command)
                    .finish();
        }
        if (m instanceof InstallSnapshot i) {
            byte[] configuration = ConfigurationCodec.encode(i.configuration());
            return header(i, INSTALL_SNAPSHOT, 8 + 8 + FrameWriter.bytesSize(configuration) + 8 + 4 + 8
                    + FrameWriter.bytesSize(i.data()))
                    .i64(i.index()).i64(i.snapshotTerm()).bytes(configuration).i64(i.totalBytes()).i32(i.checksum())
                    .i64(i.offset()).bytes(i.data())
                    .finish();
        }
        if (m instanceof InstallSnapshotResponse i) {
            return header(i, INSTALL_SNAPSHOT_RESPONSE, 8 + 8 + 8 + 8 + 1)
                    .i64(i.index()).i64(i.snapshotTerm()).i64(i.chunkOffset()).i64(i.nextOffset()).bool(i.installed())
                    .finish();
        }
        if (m instanceof TimeoutNow t) {
            return header(t, TIMEOUT_NOW, 8).i64(t.transferId()).finish();
        }
        if (m instanceof ReadIndexRequest q) {
            return header(q, READ_INDEX_REQUEST, 8).i64(q.requestId()).finish();
        }
        if (m instanceof ReadIndexResponse q) {
            return header(q, READ_INDEX_RESPONSE, 8 + 1 + 8).i64(q.requestId()).bool(q.granted()).i64(q.readIndex())
                    .finish();
        }
        ForwardResponse f = (ForwardResponse) m;
        CommandResult result = Objects.requireNonNull(f.result(), "result");
        FrameWriter w = header(f, FORWARD_RESPONSE, 8 + resultSize(result)).i64(f.requestId());
        writeResult(result, w);
        return w.finish();
    }

    /** Sizes the whole frame, checks it against the limit and writes everything up to the body. */
    private FrameWriter header(RaftMessage m, int type, long bodyBytes) {
        String from = Objects.requireNonNull(m.from(), "from");
        String to = Objects.requireNonNull(m.to(), "to");
        long size = FIXED_HEADER_BYTES + 4 + clusterIdUtf8.length
                + FrameWriter.stringSize(from) + FrameWriter.stringSize(to) + bodyBytes;
        if (size > maxFrameBytes) {
            throw new IllegalArgumentException(m.getClass().getSimpleName() + " from " + from + " to " + to
                    + " needs a frame of " + size + " bytes, over the limit of " + maxFrameBytes);
        }
        return new FrameWriter((int) size)
                .u8(MAGIC_0).u8(MAGIC_1).u8(FORMAT_VERSION).u8(type)
                .i32(clusterIdUtf8.length).raw(clusterIdUtf8)
                .string(from).string(to)
                .i64(m.fromStorageId()).i64(m.term());
    }

    private static long resultSize(CommandResult result) {
        if (result instanceof CommandResult.Ok ok) {
            return 1 + 8 + FrameWriter.bytesSize(Objects.requireNonNull(ok.result(), "Ok.result"));
        }
        if (result instanceof CommandResult.ApplicationError e) {
            return 1 + 8 + FrameWriter.nullableStringSize(e.message());
        }
        if (result instanceof CommandResult.Redirect r) {
            return 1 + FrameWriter.nullableStringSize(r.leaderId());
        }
        if (result instanceof CommandResult.Retry r) {
            return 1 + FrameWriter.nullableStringSize(r.reason());
        }
        if (result instanceof CommandResult.Refused r) {
            return 1 + FrameWriter.nullableStringSize(r.reason());
        }
        return 1 + FrameWriter.nullableStringSize(((CommandResult.Indeterminate) result).reason());
    }

    private static void writeResult(CommandResult result, FrameWriter w) {
        if (result instanceof CommandResult.Ok ok) {
            w.u8(RESULT_OK).i64(ok.index()).bytes(ok.result());
        } else if (result instanceof CommandResult.ApplicationError e) {
            w.u8(RESULT_APPLICATION_ERROR).i64(e.index()).nullableString(e.message());
        } else if (result instanceof CommandResult.Redirect r) {
            w.u8(RESULT_REDIRECT).nullableString(r.leaderId());
        } else if (result instanceof CommandResult.Retry r) {
            w.u8(RESULT_RETRY).nullableString(r.reason());
        } else if (result instanceof CommandResult.Refused r) {
            w.u8(RESULT_REFUSED).nullableString(r.reason());
        } else {
            w.u8(RESULT_INDETERMINATE).nullableString(((CommandResult.Indeterminate) result).reason());
        }
    }

    /**
     * Decodes a whole array as one frame.
     *
     * @param frame the bytes received
     * @return the message, with every log entry's checksum verified
     * @throws MalformedFrameException for any bytes that are not exactly one valid frame of this cluster
     * @throws NullPointerException    if {@code frame} is {@code null}
     */
    public RaftMessage decode(byte[] frame) {
        return decode(frame, 0, frame.length);
    }

    /**
     * Decodes the {@code len} bytes at {@code off} as one frame, so a transport can decode in place from
     * its receive buffer.
     *
     * @param buf the buffer holding the frame; only the given range is read
     * @param off where the frame starts
     * @param len the frame's length
     * @return the message, with every log entry's checksum verified
     * @throws MalformedFrameException   for any bytes that are not exactly one valid frame of this cluster
     * @throws IndexOutOfBoundsException if the range is not within {@code buf}: a caller bug, not a bad frame
     * @throws NullPointerException      if {@code buf} is {@code null}
     */
    public RaftMessage decode(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        try {
            return decodeFrame(buf, off, len);
        } catch (MalformedFrameException e) {
            rejectedFrames.incrementAndGet();
            throw e;
        }
    }

    private RaftMessage decodeFrame(byte[] buf, int off, int len) {
        if (len > maxFrameBytes) {
            throw new MalformedFrameException(Reason.OVERSIZE,
                    "frame of " + len + " bytes, over the limit of " + maxFrameBytes);
        }
        FrameReader r = new FrameReader(buf, off, len, maxFrameBytes);
        if (r.u8("magic") != MAGIC_0 || r.u8("magic") != MAGIC_1) {
            throw new MalformedFrameException(Reason.UNKNOWN_VERSION, "not a raftengine frame (bad magic)");
        }
        int version = r.u8("version");
        if (version != FORMAT_VERSION) {
            throw new MalformedFrameException(Reason.UNKNOWN_VERSION,
                    "frame format " + version + ", this codec reads " + FORMAT_VERSION);
        }
        int type = r.u8("type");
        if (type < VOTE_REQUEST || type > READ_INDEX_RESPONSE) {
            throw new MalformedFrameException(Reason.UNKNOWN_TYPE, "message type " + type);
        }
        String foreign = r.mismatch(clusterIdUtf8, "cluster id");
        if (foreign != null) {
            throw new MalformedFrameException(Reason.WRONG_CLUSTER,
                    "frame of cluster '" + foreign + "', this node is in '" + clusterId + "'");
        }
        String from = r.string("from");
        String to = r.string("to");
        long storageId = r.i64("fromStorageId");
        long term = r.i64("term");
        RaftMessage m;
        try {
            m = switch (type) {
                case VOTE_REQUEST -> new VoteRequest(from, to, storageId, term,
                        r.i64("lastLogIndex"), r.i64("lastLogTerm"), r.bool("preVote"), r.bool("transfer"),
                        r.i64("incarnation"));
                case VOTE_RESPONSE -> new VoteResponse(from, to, storageId, term,
                        r.bool("preVote"), r.bool("granted"));
                case APPEND_ENTRIES -> new AppendEntries(from, to, storageId, term,
                        r.i64("prevLogIndex"), r.i64("prevLogTerm"), r.i64("leaderCommit"), readEntries(r),
                        r.i64("round"), r.i64("incarnation"));
                case APPEND_ENTRIES_RESPONSE -> new AppendEntriesResponse(from, to, storageId, term,
                        r.bool("success"), r.i64("matchIndex"), r.i64("conflictTerm"), r.i64("conflictIndex"),
                        r.i64("lastIndex"), r.i64("round"));
                case FORWARD_COMMAND -> new ForwardCommand(from, to, storageId, term,
                        r.i64("requestId"), r.bytes("command"));
                case FORWARD_RESPONSE -> new ForwardResponse(from, to, storageId, term, r.i64("requestId"),
                        readResult(r));
                case INSTALL_SNAPSHOT -> new InstallSnapshot(from, to, storageId, term, r.i64("index"),
                        r.i64("snapshotTerm"), ConfigurationCodec.decode(r.bytes("configuration")),
                        r.i64("totalBytes"), r.i32("checksum"), r.i64("offset"), r.bytes("data"));
                case INSTALL_SNAPSHOT_RESPONSE -> new InstallSnapshotResponse(from, to, storageId, term,
                        r.i64("index"), r.i64("snapshotTerm"), r.i64("chunkOffset"), r.i64("nextOffset"),
                        r.bool("installed"));
                case TIMEOUT_NOW -> new TimeoutNow(from, to, storageId, term, r.i64("transferId"));
                case READ_INDEX_REQUEST -> new ReadIndexRequest(from, to, storageId, term, r.i64("requestId"));
                default -> new ReadIndexResponse(from, to, storageId, term, r.i64("requestId"), r.bool("granted"),
                        r.i64("readIndex"));
            };
        } catch (IllegalArgumentException e) {
            // The records may grow validation; a value they refuse is a bad frame, not a crash.
            throw new MalformedFrameException(Reason.INVALID, e.getMessage(), e);
        }
        r.expectEnd("message");
        return m;
    }

    private static List<LogEntry> readEntries(FrameReader r) {
        int count = r.count(MIN_ENTRY_BYTES, "entry count");
        LogEntry[] entries = new LogEntry[count];
        for (int i = 0; i < count; i++) {
            long index = r.i64("entry index");
            long term = r.i64("entry term");
            int code = r.u8("entry type");
            EntryType type = EntryType.ofCode(code);
            if (type == null) {
                throw new MalformedFrameException(Reason.INVALID, "entry " + index + " has unknown type " + code);
            }
            LogEntry e = new LogEntry(index, term, type, r.i64("entry requestId"), r.bytes("entry data"),
                    r.i32("entry checksum"));
            if (!e.isIntact()) {
                throw new MalformedFrameException(Reason.INVALID,
                        "entry " + index + " (term " + term + ") fails its checksum");
            }
            entries[i] = e;
        }
        return List.of(entries);
    }

    private static CommandResult readResult(FrameReader r) {
        int kind = r.u8("result kind");
        return switch (kind) {
            case RESULT_OK -> new CommandResult.Ok(r.i64("result index"), r.bytes("result"));
            case RESULT_APPLICATION_ERROR -> new CommandResult.ApplicationError(r.i64("result index"),
                    r.nullableString("error message"));
            case RESULT_REDIRECT -> new CommandResult.Redirect(r.nullableString("leaderId"));
            case RESULT_RETRY -> new CommandResult.Retry(r.nullableString("retry reason"));
            case RESULT_INDETERMINATE -> new CommandResult.Indeterminate(r.nullableString("indeterminate reason"));
            case RESULT_REFUSED -> new CommandResult.Refused(r.nullableString("refusal reason"));
            default -> throw new MalformedFrameException(Reason.INVALID, "unknown result kind " + kind);
        };
    }

    /** The cluster and the frame limit, for logs. */
    @Override
    public String toString() {
        return "WireCodec[cluster=" + clusterId + ", maxFrameBytes=" + maxFrameBytes + "]";
    }
}
