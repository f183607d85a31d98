package org.raftengine.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.raftengine.core.wire.FrameBuilder.header;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
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

/** Every rejection reason, each produced by a frame made for it. */
class WireCodecRejectionTest {

    private static final String CLUSTER = "main";
    private final WireCodec codec = new WireCodec(CLUSTER);

    private static final LogEntry ENTRY = LogEntry.of(5, 2, EntryType.COMMAND, 42, new byte[] {1, 2, 3, 4});

    /** One message of each type and result kind, with non-ASCII strings and entries. */
    private static List<RaftMessage> samples() {
        return List.of(
                new VoteRequest("n1", "n2", 10, 3, 7, 2, true, false),
                new VoteResponse("n2", "n1", 11, 3, true, true),
                new AppendEntries("n1", "n2", 10, 3, 4, 2, 4, List.of(ENTRY,
                        LogEntry.of(6, 3, EntryType.NOOP, 0, new byte[0]),
                        LogEntry.of(7, 3, EntryType.CONFIGURATION, 0, new byte[] {9}))),
                new AppendEntries("n1", "n2", 10, 3, 4, 2, 4, List.of()),
                new AppendEntriesResponse("n2", "n1", 11, 3, false, 0, 2, 3, 9),
                new ForwardCommand("nœud-2", "n1", 11, 3, 99, new byte[] {5, 6, 7}),
                new ForwardResponse("n1", "nœud-2", 10, 3, 99, new CommandResult.Ok(8, new byte[] {1})),
                new ForwardResponse("n1", "n2", 10, 3, 99, new CommandResult.ApplicationError(8, "ключ")),
                new ForwardResponse("n1", "n2", 10, 3, 99, new CommandResult.Redirect(null)),
                new ForwardResponse("n1", "n2", 10, 3, 99, new CommandResult.Retry("busy")),
                new ForwardResponse("n1", "n2", 10, 3, 99, new CommandResult.Indeterminate("timeout")),
                new ForwardResponse("n1", "n2", 10, 3, 99, new CommandResult.Refused("too large")),
                new InstallSnapshot("n1", "n2", 10, 3, 40, 2, ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2"),
                        9, 77, 4, new byte[] {1, 2, 3}),
                new InstallSnapshotResponse("n2", "n1", 11, 3, 40, 2, 4, 7, false),
                new AppendEntries("n1", "n2", 10, 3, 4, 2, 4, List.of(), 17),
                new AppendEntriesResponse("n2", "n1", 11, 3, true, 4, 0, 0, 9, 17),
                new TimeoutNow("n1", "n2", 10, 3, 2),
                new ReadIndexRequest("n2", "n1", 11, 3, -77),
                new ReadIndexResponse("n1", "n2", 10, 3, -77, true, 12),
                new ReadIndexResponse("n1", "n2", 10, 3, -77, false, 0));
    }

    private Reason rejection(WireCodec c, byte[] frame) {
        MalformedFrameException e = catchThrowableOfType(MalformedFrameException.class, () -> c.decode(frame));
        assertThat(e).as("decoding %s should fail", HexFormat.of().formatHex(frame)).isNotNull();
        return e.reason();
    }

    private Reason rejection(byte[] frame) {
        return rejection(codec, frame);
    }

    @Test
    void truncatedAtEveryLength() {
        for (RaftMessage m : samples()) {
            byte[] frame = codec.encode(m);
            for (int len = 0; len < frame.length; len++) {
                byte[] cut = Arrays.copyOf(frame, len);
                assertThat(rejection(cut)).as("%s cut to %d of %d bytes", m, len, frame.length)
                        .isEqualTo(Reason.TRUNCATED);
                // The same prefix inside a buffer that goes on with the rest of the frame: the codec must
                // stop at the range it was given.
                assertThatThrownBy(() -> codec.decode(frame, 0, cut.length))
                        .isInstanceOfSatisfying(MalformedFrameException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
            }
        }
    }

    @Test
    void unknownVersionOrMagic() {
        byte[] frame = codec.encode(samples().get(0));
        for (int version : new int[] {0, 1, 2, 4, 0x7F, 0xFF}) {
            byte[] f = frame.clone();
            f[2] = (byte) version;
            assertThat(rejection(f)).as("version %d", version).isEqualTo(Reason.UNKNOWN_VERSION);
        }
        for (int at = 0; at < 2; at++) {
            byte[] f = frame.clone();
            f[at] ^= 0x20;
            assertThat(rejection(f)).as("magic byte %d", at).isEqualTo(Reason.UNKNOWN_VERSION);
        }
        // A version this codec does not know is refused before its (unknown) layout is looked at.
        assertThat(rejection(new byte[] {'R', 'F', 4})).isEqualTo(Reason.UNKNOWN_VERSION);
        // Versions 1 (before confirmation rounds) and 2 (before incarnations) are refused too: their
        // AppendEntries would read differently.
        assertThat(rejection(new byte[] {'R', 'F', 1})).isEqualTo(Reason.UNKNOWN_VERSION);
        assertThat(rejection(new byte[] {'R', 'F', 2})).isEqualTo(Reason.UNKNOWN_VERSION);
        assertThat(rejection(new byte[] {'X'})).isEqualTo(Reason.UNKNOWN_VERSION);
    }

    @Test
    void unknownType() {
        for (int type : new int[] {0, 12, 13, 0x80, 0xFF}) {
            byte[] f = header(type, CLUSTER, "a", "b", 1, 1).i64(1).i64(1).u8(0).u8(0).build();
            assertThat(rejection(f)).as("type %d", type).isEqualTo(Reason.UNKNOWN_TYPE);
        }
    }

    @Test
    void otherCluster() {
        for (String other : new String[] {"other", "mai", "main2", "MAIN", "mäin", "x"}) {
            byte[] f = new WireCodec(other).encode(samples().get(1));
            assertThat(rejection(f)).as("cluster %s", other).isEqualTo(Reason.WRONG_CLUSTER);
            MalformedFrameException e = catchThrowableOfType(MalformedFrameException.class, () -> codec.decode(f));
            assertThat(e.getMessage()).contains(other).contains(CLUSTER);
        }
        byte[] empty = header(2, "", "a", "b", 1, 1).u8(0).u8(0).build();
        assertThat(rejection(empty)).isEqualTo(Reason.WRONG_CLUSTER);
        // Sanity: the same frame built for the right cluster is accepted.
        assertThat(codec.decode(header(2, CLUSTER, "a", "b", 1, 1).u8(0).u8(0).build()))
                .isEqualTo(new VoteResponse("a", "b", 1, 1, false, false));
    }

    @Test
    void oversizeFrame() {
        WireCodec small = new WireCodec(CLUSTER, 60);
        byte[] fits = codec.encode(new ForwardCommand("a", "b", 1, 1, 1, new byte[0]));
        byte[] padded = new byte[60 - fits.length];
        byte[] exactly = codec.encode(new ForwardCommand("a", "b", 1, 1, 1, padded));
        assertThat(exactly).hasSize(60);
        assertThat(small.decode(exactly)).isInstanceOf(ForwardCommand.class);

        byte[] over = codec.encode(new ForwardCommand("a", "b", 1, 1, 1, new byte[padded.length + 1]));
        assertThat(rejection(small, over)).isEqualTo(Reason.OVERSIZE);
        // Too long is known from the length alone, whatever the bytes are.
        assertThat(rejection(small, new byte[61])).isEqualTo(Reason.OVERSIZE);
    }

    @Test
    void declaredLengthsBeyondAnyFrameAreOversize() {
        byte[] hugeCommand = header(5, CLUSTER, "a", "b", 1, 1).i64(1).i32(Integer.MAX_VALUE).raw(new byte[8]).build();
        assertThat(rejection(hugeCommand)).isEqualTo(Reason.OVERSIZE);
        byte[] hugeCount = header(3, CLUSTER, "a", "b", 1, 1).i64(0).i64(0).i64(0).i32(Integer.MAX_VALUE).build();
        assertThat(rejection(hugeCount)).isEqualTo(Reason.OVERSIZE);
        byte[] hugeString = new FrameBuilder().u8('R').u8('F').u8(WireCodec.FORMAT_VERSION).u8(1).i32(Integer.MAX_VALUE).build();
        assertThat(rejection(hugeString)).isEqualTo(Reason.OVERSIZE);

        // Within the codec's limit but beyond the bytes present: the frame is cut short.
        byte[] shortCommand = header(5, CLUSTER, "a", "b", 1, 1).i64(1).i32(1000).raw(new byte[8]).build();
        assertThat(rejection(shortCommand)).isEqualTo(Reason.TRUNCATED);
        byte[] shortCount = header(3, CLUSTER, "a", "b", 1, 1).i64(0).i64(0).i64(0).i32(1000).build();
        assertThat(rejection(shortCount)).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void entryWithBadChecksumOrUnknownType() {
        byte[] good = header(3, CLUSTER, "a", "b", 1, 1).i64(4).i64(2).i64(4).i32(1)
                .i64(5).i64(2).u8(1).i64(42).bytes(new byte[] {1, 2, 3, 4}).i32(ENTRY.checksum()).i64(0).i64(0).build();
        assertThat(codec.decode(good)).isEqualTo(new AppendEntries("a", "b", 1, 1, 4, 2, 4, List.of(ENTRY)));

        byte[] badSum = header(3, CLUSTER, "a", "b", 1, 1).i64(4).i64(2).i64(4).i32(1)
                .i64(5).i64(2).u8(1).i64(42).bytes(new byte[] {1, 2, 3, 4}).i32(ENTRY.checksum() + 1).i64(0).i64(0).build();
        assertThat(rejection(badSum)).isEqualTo(Reason.INVALID);
        // Every field the checksum covers: a change to any is caught.
        int entryEnd = good.length - 16; // the round and the incarnation follow the entries
        int entryStart = entryEnd - (8 + 8 + 1 + 8 + 4 + 4 + 4);
        for (int at = entryStart; at < entryEnd; at++) {
            if (at == entryStart + 16) {
                continue; // the type byte: changing it is an unknown type or another valid type
            }
            if (at >= entryStart + 25 && at < entryStart + 29) {
                continue; // the data length: changing it is a length error, tested elsewhere
            }
            byte[] f = good.clone();
            f[at] ^= 0x01;
            assertThat(rejection(f)).as("flipped byte %d", at).isEqualTo(Reason.INVALID);
        }
        byte[] otherType = good.clone();
        otherType[entryStart + 16] = 2;
        assertThat(rejection(otherType)).isEqualTo(Reason.INVALID);
        for (int code : new int[] {0, 4, 0xFF}) {
            byte[] f = good.clone();
            f[entryStart + 16] = (byte) code;
            assertThat(rejection(f)).as("entry type %d", code).isEqualTo(Reason.INVALID);
        }
    }

    @Test
    void negativeLengthsAndCounts() {
        List<byte[]> frames = new ArrayList<>();
        frames.add(new FrameBuilder().u8('R').u8('F').u8(WireCodec.FORMAT_VERSION).u8(2).i32(-1).build());
        frames.add(new FrameBuilder().u8('R').u8('F').u8(WireCodec.FORMAT_VERSION).u8(2).str(CLUSTER).i32(-1).str("b").build());
        frames.add(new FrameBuilder().u8('R').u8('F').u8(WireCodec.FORMAT_VERSION).u8(2).str(CLUSTER).str("a").i32(-2).build());
        frames.add(header(5, CLUSTER, "a", "b", 1, 1).i64(1).i32(-1).build());
        frames.add(header(5, CLUSTER, "a", "b", 1, 1).i64(1).i32(Integer.MIN_VALUE).build());
        frames.add(header(3, CLUSTER, "a", "b", 1, 1).i64(0).i64(0).i64(0).i32(-1).build());
        frames.add(header(3, CLUSTER, "a", "b", 1, 1).i64(0).i64(0).i64(0).i32(1)
                .i64(5).i64(2).u8(1).i64(42).i32(-4).raw(new byte[8]).build());
        frames.add(header(6, CLUSTER, "a", "b", 1, 1).i64(1).u8(1).i64(1).i32(-1).build());
        // -1 means null only where null is allowed; other negatives never mean anything.
        frames.add(header(6, CLUSTER, "a", "b", 1, 1).i64(1).u8(3).i32(-2).build());
        frames.add(header(6, CLUSTER, "a", "b", 1, 1).i64(1).u8(4).i32(Integer.MIN_VALUE).build());
        for (byte[] f : frames) {
            assertThat(rejection(f)).as(HexFormat.of().formatHex(f)).isEqualTo(Reason.INVALID);
        }
    }

    @Test
    void trailingBytes() {
        for (RaftMessage m : samples()) {
            byte[] frame = codec.encode(m);
            for (int extra : new int[] {1, 2, 100}) {
                byte[] f = Arrays.copyOf(frame, frame.length + extra);
                assertThat(rejection(f)).as("%s with %d trailing bytes", m, extra).isEqualTo(Reason.INVALID);
            }
        }
    }

    @Test
    void badFieldValues() {
        List<byte[]> frames = new ArrayList<>();
        // Not UTF-8: a lone continuation byte, a truncated sequence, an overlong NUL, an encoded surrogate.
        for (byte[] bad : new byte[][] {{(byte) 0x80}, {'a', (byte) 0xC3}, {(byte) 0xC0, (byte) 0x80},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80}}) {
            frames.add(new FrameBuilder().u8('R').u8('F').u8(WireCodec.FORMAT_VERSION).u8(2).str(CLUSTER).bytes(bad).str("b")
                    .i64(1).i64(1).u8(0).u8(0).build());
            frames.add(header(6, CLUSTER, "a", "b", 1, 1).i64(1).u8(4).bytes(bad).build());
        }
        // Booleans other than 0 and 1.
        frames.add(header(2, CLUSTER, "a", "b", 1, 1).u8(2).u8(0).build());
        frames.add(header(1, CLUSTER, "a", "b", 1, 1).i64(1).i64(1).u8(0).u8(0xFF).i64(0).build());
        frames.add(header(4, CLUSTER, "a", "b", 1, 1).u8(3).i64(0).i64(0).i64(0).i64(0).i64(0).build());
        frames.add(header(11, CLUSTER, "a", "b", 1, 1).i64(5).u8(2).i64(0).build());
        // Values no message can hold: negative rounds, a refused read index that names an index.
        frames.add(header(4, CLUSTER, "a", "b", 1, 1).u8(1).i64(0).i64(0).i64(0).i64(0).i64(-1).build());
        frames.add(header(3, CLUSTER, "a", "b", 1, 1).i64(0).i64(0).i64(0).i32(0).i64(-5).i64(0).build());
        frames.add(header(11, CLUSTER, "a", "b", 1, 1).i64(5).u8(0).i64(7).build());
        frames.add(header(11, CLUSTER, "a", "b", 1, 1).i64(5).u8(1).i64(-7).build());
        // Unknown result kinds.
        for (int kind : new int[] {0, 7, 0xFF}) {
            frames.add(header(6, CLUSTER, "a", "b", 1, 1).i64(1).u8(kind).nullStr().build());
        }
        for (byte[] f : frames) {
            assertThat(rejection(f)).as(HexFormat.of().formatHex(f)).isEqualTo(Reason.INVALID);
        }
    }

    @Test
    void rejectionsAreCountedAndSuccessesAreNot() {
        WireCodec c = new WireCodec(CLUSTER);
        byte[] good = c.encode(samples().get(0));
        c.decode(good);
        assertThat(c.rejectedFrames()).isZero();
        assertThatThrownBy(() -> c.decode(new byte[0])).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> c.decode(Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(MalformedFrameException.class);
        c.decode(good);
        assertThat(c.rejectedFrames()).isEqualTo(2);
    }

    @Test
    void rangeOutsideTheBufferIsACallerError() {
        byte[] good = codec.encode(samples().get(0));
        assertThatThrownBy(() -> codec.decode(good, 1, good.length)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> codec.decode(good, -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(codec.rejectedFrames()).isZero();
    }

    @Test
    void exceptionCarriesItsReason() {
        MalformedFrameException e = new MalformedFrameException(Reason.OVERSIZE, "too big");
        assertThat(e.reason()).isEqualTo(Reason.OVERSIZE);
        assertThat(e.getMessage()).isEqualTo("OVERSIZE: too big");
        assertThatThrownBy(() -> new MalformedFrameException(null, "x")).isInstanceOf(NullPointerException.class);
    }
}
