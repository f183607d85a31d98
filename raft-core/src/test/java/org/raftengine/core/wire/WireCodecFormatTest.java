package org.raftengine.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.raftengine.core.wire.FrameBuilder.header;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
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

/**
 * Pins the byte layout: each message type is written exactly as the hand-built frame the format
 * documents, and that frame decodes to the message. A change of layout must fail here (and bump the
 * format version).
 */
class WireCodecFormatTest {

    private static final String CLUSTER = "prod-é";
    private final WireCodec codec = new WireCodec(CLUSTER);

    private void assertLayout(RaftMessage m, byte[] expected) {
        assertThat(codec.encode(m)).as("encoding of %s", m).containsExactly(expected);
        assertThat(Fields.of(codec.decode(expected))).isEqualTo(Fields.of(m));
    }

    @Test
    void voteRequestLayout() {
        assertLayout(new VoteRequest("n1", "n2", 77, 5, 10, 4, true, false),
                header(1, CLUSTER, "n1", "n2", 77, 5).i64(10).i64(4).u8(1).u8(0).i64(0).build());
        assertLayout(new VoteRequest("n1", "n2", 77, 5, 10, 4, false, true, 0x55AA),
                header(1, CLUSTER, "n1", "n2", 77, 5).i64(10).i64(4).u8(0).u8(1).i64(0x55AA).build());
    }

    @Test
    void voteResponseLayout() {
        assertLayout(new VoteResponse("a", "ünïcode", -3, Long.MAX_VALUE, false, true),
                header(2, CLUSTER, "a", "ünïcode", -3, Long.MAX_VALUE).u8(0).u8(1).build());
    }

    @Test
    void appendEntriesLayout() {
        LogEntry cmd = LogEntry.of(11, 4, EntryType.COMMAND, 99, new byte[] {1, 2, 3});
        LogEntry noop = LogEntry.of(12, 4, EntryType.NOOP, 0, new byte[0]);
        LogEntry conf = LogEntry.of(13, 4, EntryType.CONFIGURATION, 0, new byte[] {7});
        assertLayout(new AppendEntries("l", "f", 1, 4, 10, 3, 9, List.of(cmd, noop, conf)),
                header(3, CLUSTER, "l", "f", 1, 4).i64(10).i64(3).i64(9).i32(3)
                        .i64(11).i64(4).u8(1).i64(99).bytes(new byte[] {1, 2, 3}).i32(cmd.checksum())
                        .i64(12).i64(4).u8(2).i64(0).bytes(new byte[0]).i32(noop.checksum())
                        .i64(13).i64(4).u8(3).i64(0).bytes(new byte[] {7}).i32(conf.checksum())
                        .i64(0).i64(0).build());
        assertLayout(new AppendEntries("l", "f", 1, 4, 10, 3, 9, List.of(), 42, -9),
                header(3, CLUSTER, "l", "f", 1, 4).i64(10).i64(3).i64(9).i32(0).i64(42).i64(-9).build());
    }

    @Test
    void appendEntriesResponseLayout() {
        assertLayout(new AppendEntriesResponse("f", "l", 8, 4, true, 20, 0, 0, 20, 42),
                header(4, CLUSTER, "f", "l", 8, 4).u8(1).i64(20).i64(0).i64(0).i64(20).i64(42).build());
        assertLayout(new AppendEntriesResponse("f", "l", 8, 4, false, 0, 3, 7, 19),
                header(4, CLUSTER, "f", "l", 8, 4).u8(0).i64(0).i64(3).i64(7).i64(19).i64(0).build());
    }

    @Test
    void timeoutNowLayout() {
        assertLayout(new TimeoutNow("l", "f", 1, 4, 3),
                header(9, CLUSTER, "l", "f", 1, 4).i64(3).build());
    }

    @Test
    void readIndexLayouts() {
        assertLayout(new ReadIndexRequest("f", "l", 8, 4, -5),
                header(10, CLUSTER, "f", "l", 8, 4).i64(-5).build());
        assertLayout(new ReadIndexResponse("l", "f", 1, 4, -5, true, 30),
                header(11, CLUSTER, "l", "f", 1, 4).i64(-5).u8(1).i64(30).build());
        assertLayout(new ReadIndexResponse("l", "f", 1, 4, -5, false, 0),
                header(11, CLUSTER, "l", "f", 1, 4).i64(-5).u8(0).i64(0).build());
    }

    @Test
    void installSnapshotLayout() {
        ClusterConfiguration conf = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "l", "f");
        byte[] confBytes = ConfigurationCodec.encode(conf);
        assertLayout(new InstallSnapshot("l", "f", 1, 4, 120, 3, conf, 10, 0x0badf00d, 6, new byte[] {8, 9}),
                header(7, CLUSTER, "l", "f", 1, 4).i64(120).i64(3).bytes(confBytes).i64(10).i32(0x0badf00d).i64(6)
                        .bytes(new byte[] {8, 9}).build());
        assertLayout(new InstallSnapshotResponse("f", "l", 8, 4, 120, 3, 6, 8, true),
                header(8, CLUSTER, "f", "l", 8, 4).i64(120).i64(3).i64(6).i64(8).u8(1).build());
    }

    @Test
    void forwardCommandLayout() {
        assertLayout(new ForwardCommand("f", "l", 8, 4, 1234, "put k v".getBytes(StandardCharsets.UTF_8)),
                header(5, CLUSTER, "f", "l", 8, 4).i64(1234).str("put k v").build());
    }

    @Test
    void forwardResponseLayoutOfEveryResultKind() {
        byte[] ok = {9, 8};
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.Ok(17, ok)),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(1).i64(17).bytes(ok).build());
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.ApplicationError(18, "no such key")),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(2).i64(18).str("no such key").build());
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.ApplicationError(18, null)),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(2).i64(18).nullStr().build());
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.Redirect("n3")),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(3).str("n3").build());
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.Redirect(null)),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(3).nullStr().build());
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.Retry("no leader")),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(4).str("no leader").build());
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.Indeterminate("")),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(5).str("").build());
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.Refused("too large")),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(6).str("too large").build());
        assertLayout(new ForwardResponse("l", "f", 2, 4, 55, new CommandResult.Refused(null)),
                header(6, CLUSTER, "l", "f", 2, 4).i64(55).u8(6).nullStr().build());
    }

    @Test
    void utf8MatchesTheJdkIncludingReplacementOfUnpairedSurrogates() {
        long seed = 0x5EED_0001L;
        SplittableRandom rnd = new SplittableRandom(seed);
        char[] specials = {'a', 'é', '€', '\uD83D', '\uDE00', '\uD800', '\uDFFF', '\u0000', '\uFFFF', '\u07FF'};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(12);
            for (int j = 0; j < len; j++) {
                sb.append(rnd.nextBoolean() ? specials[rnd.nextInt(specials.length)] : (char) rnd.nextInt(0x10000));
            }
            String s = sb.toString();
            byte[] jdk = s.getBytes(StandardCharsets.UTF_8);
            byte[] ours = new byte[(int) Utf8.encodedLength(s)];
            int end = Utf8.encode(s, ours, 0);
            assertThat(end).as("seed %d, iteration %d", seed, i).isEqualTo(ours.length);
            assertThat(ours).as("seed %d, iteration %d, string %s", seed, i, s.chars().boxed().toList())
                    .containsExactly(jdk);
        }
    }

    @Test
    void unpairedSurrogateIsSentAsQuestionMark() {
        RaftMessage m = new VoteResponse("bad\uD800id", "n2", 1, 1, false, false);
        VoteResponse decoded = (VoteResponse) codec.decode(codec.encode(m));
        assertThat(decoded.from()).isEqualTo("bad?id");
    }

    @Test
    void encodeRefusesAFrameOverTheLimitAndNullRequiredFields() {
        WireCodec small = new WireCodec("c", 100);
        assertThatThrownBy(() -> small.encode(new ForwardCommand("a", "b", 1, 1, 1, new byte[100])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over the limit of 100");
        assertThatThrownBy(() -> codec.encode(new VoteResponse(null, "b", 1, 1, true, true)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("from");
        assertThatThrownBy(() -> codec.encode(new VoteResponse("a", null, 1, 1, true, true)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("to");
        assertThatThrownBy(() -> codec.encode(new ForwardCommand("a", "b", 1, 1, 1, null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("command");
        assertThatThrownBy(() -> codec.encode(new ForwardResponse("a", "b", 1, 1, 1, null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("result");
    }

    @Test
    void frameExactlyAtTheLimitIsWrittenAndRead() {
        RaftMessage m = new VoteResponse("a", "b", 1, 1, true, false);
        int size = new WireCodec("c").encode(m).length;
        WireCodec exact = new WireCodec("c", size);
        assertThat(exact.decode(exact.encode(m))).isEqualTo(m);
        assertThatThrownBy(() -> new WireCodec("c", size - 1).encode(m)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructorRefusesUnusableSettings() {
        assertThatThrownBy(() -> new WireCodec(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WireCodec("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WireCodec("x\uDC00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WireCodec(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new WireCodec("c", 0)).isInstanceOf(IllegalArgumentException.class);
        WireCodec c = new WireCodec("c", 1234);
        assertThat(c.clusterId()).isEqualTo("c");
        assertThat(c.maxFrameBytes()).isEqualTo(1234);
        assertThat(new WireCodec("c").maxFrameBytes()).isEqualTo(64 << 20);
        assertThat(c.toString()).contains("c").contains("1234");
    }

    @Test
    void fieldsHelperComparesBytesByContent() {
        ForwardCommand a = new ForwardCommand("a", "b", 1, 1, 1, new byte[] {1, 2});
        ForwardCommand sameContent = new ForwardCommand("a", "b", 1, 1, 1, new byte[] {1, 2});
        ForwardCommand otherContent = new ForwardCommand("a", "b", 1, 1, 1, new byte[] {1, 3});
        assertThat(Fields.of(a)).isEqualTo(Fields.of(sameContent)).isNotEqualTo(Fields.of(otherContent));
        ForwardResponse ok = new ForwardResponse("a", "b", 1, 1, 1, new CommandResult.Ok(1, new byte[] {1}));
        ForwardResponse okOther = new ForwardResponse("a", "b", 1, 1, 1, new CommandResult.Ok(1, new byte[] {2}));
        assertThat(Fields.of(ok)).isNotEqualTo(Fields.of(okOther));
        assertThat(Fields.of(new VoteResponse("a", "b", 1, 1, true, true)))
                .isNotEqualTo(Fields.of(new VoteResponse("a", "b", 1, 1, true, false)));
    }
}
