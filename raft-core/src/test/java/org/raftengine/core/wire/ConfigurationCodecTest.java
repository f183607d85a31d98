package org.raftengine.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.Member;
import org.raftengine.core.wire.MalformedFrameException.Reason;

class ConfigurationCodecTest {

    private static final long BASE_SEED = Long.getLong("wire.seed", 0xC0F1_6000L);

    private static final ClusterSettings SETTINGS = new ClusterSettings(100, 1000, 2000, 512, 1 << 20, 16,
            64L << 20, 100_000, true, false, 90_000);
    /** What versions 1 to 3 can hold: voters only, no incarnation. */
    private static final ClusterConfiguration SAMPLE_V3 = new ClusterConfiguration(
            List.of(new Member("n1", 0x1122334455667788L), new Member("nœud-2", 0)), SETTINGS);
    private static final ClusterConfiguration SAMPLE = new ClusterConfiguration(
            List.of(new Member("n1", 0x1122334455667788L), new Member("nœud-2", 0, false)), SETTINGS,
            0x0A0B0C0D0E0F1011L);

    /** The documented layout, written by hand; {@code members} is the count then each id and storage id. */
    private static FrameBuilder payload(int version, int count) {
        return new FrameBuilder().u8(version).i32(count);
    }

    private static FrameBuilder settings(FrameBuilder b, long heartbeat, int preVote) {
        return settingsV2(b, heartbeat, preVote).u8(0);
    }

    /** Version 2 settings: no lease reads. */
    private static FrameBuilder settingsV2(FrameBuilder b, long heartbeat, int preVote) {
        return settingsV1(b, heartbeat, preVote).i64(90_000);
    }

    /** Version 1 settings: no session time-out. */
    private static FrameBuilder settingsV1(FrameBuilder b, long heartbeat, int preVote) {
        return b.i64(heartbeat).i64(1000).i64(2000).i32(512).i64(1 << 20).i32(16).i64(64L << 20).i64(100_000)
                .u8(preVote).u8(0);
    }

    private static byte[] sampleBytes() {
        return settings(new FrameBuilder().u8(4).i64(0x0A0B0C0D0E0F1011L).i32(2)
                .str("n1").i64(0x1122334455667788L).u8(1).str("nœud-2").i64(0).u8(0), 100, 1).build();
    }

    private static Reason rejection(byte[] data) {
        MalformedFrameException e = catchThrowableOfType(MalformedFrameException.class,
                () -> ConfigurationCodec.decode(data));
        assertThat(e).as("decoding %s should fail", HexFormat.of().formatHex(data)).isNotNull();
        return e.reason();
    }

    @Test
    void layoutIsAsDocumented() {
        assertThat(ConfigurationCodec.encode(SAMPLE)).containsExactly(sampleBytes());
        assertThat(ConfigurationCodec.decode(sampleBytes())).isEqualTo(SAMPLE);
    }

    /** Configuration entries written before sessions stay readable: their session time-out is the default. */
    @Test
    void version1ReadsWithTheDefaultSessionTimeout() {
        byte[] v1 = settingsV1(payload(1, 2).str("n1").i64(0x1122334455667788L).str("nœud-2").i64(0), 100, 1).build();
        ClusterConfiguration c = ConfigurationCodec.decode(v1);
        assertThat(c.members()).isEqualTo(SAMPLE_V3.members());
        assertThat(c.settings()).isEqualTo(SAMPLE.settings().withSessionTimeout(
                ClusterSettings.DEFAULT_SESSION_TIMEOUT_MILLIS));
        // A version 1 payload carrying the version 2 field has a trailing field: refused, not misread.
        byte[] v1WithField = settings(payload(1, 2).str("n1").i64(0x1122334455667788L).str("nœud-2").i64(0), 100, 1)
                .build();
        assertThat(rejection(v1WithField)).isEqualTo(Reason.INVALID);
    }

    /** Configuration entries written before lease reads stay readable: lease reads are off. */
    @Test
    void version2ReadsWithLeaseReadsOff() {
        byte[] v2 = settingsV2(payload(2, 2).str("n1").i64(0x1122334455667788L).str("nœud-2").i64(0), 100, 1).build();
        assertThat(ConfigurationCodec.decode(v2)).isEqualTo(SAMPLE_V3);
        byte[] v2WithField = settings(payload(2, 2).str("n1").i64(0x1122334455667788L).str("nœud-2").i64(0), 100, 1)
                .build();
        assertThat(rejection(v2WithField)).isEqualTo(Reason.INVALID);
        ClusterConfiguration leases = ClusterConfiguration.of(ClusterSettings.DEFAULTS.withLeaseReads(true), "a");
        assertThat(ConfigurationCodec.decode(ConfigurationCodec.encode(leases))).isEqualTo(leases);
    }

    /** Configuration entries written before learners and incarnations: all voters, incarnation 0 (unchecked). */
    @Test
    void version3ReadsAsVotersOfNoIncarnation() {
        byte[] v3 = settings(payload(3, 2).str("n1").i64(0x1122334455667788L).str("nœud-2").i64(0), 100, 1).build();
        ClusterConfiguration c = ConfigurationCodec.decode(v3);
        assertThat(c).isEqualTo(SAMPLE_V3);
        assertThat(c.incarnation()).isZero();
        assertThat(c.voters()).hasSize(2);
        assertThat(c.learners()).isEmpty();
    }

    @Test
    void randomConfigurationsRoundTrip() {
        SplittableRandom seeds = new SplittableRandom(BASE_SEED);
        boolean sawFalsePreVote = false;
        boolean sawManyMembers = false;
        for (int i = 0; i < 3_000; i++) {
            long seed = seeds.nextLong();
            ClusterConfiguration c = new RandomMessages(seed).configuration();
            byte[] data = ConfigurationCodec.encode(c);
            assertThat(ConfigurationCodec.decode(data)).as("seed %d", seed).isEqualTo(c);
            sawFalsePreVote |= !c.settings().preVote();
            sawManyMembers |= c.members().size() > 10;
        }
        assertThat(sawFalsePreVote).isTrue();
        assertThat(sawManyMembers).isTrue();
        assertThat(ConfigurationCodec.decode(ConfigurationCodec.encode(
                ClusterConfiguration.of(ClusterSettings.DEFAULTS, "only")))).isEqualTo(
                ClusterConfiguration.of(ClusterSettings.DEFAULTS, "only"));
    }

    @Test
    void truncatedAtEveryLength() {
        byte[] data = ConfigurationCodec.encode(SAMPLE);
        for (int len = 0; len < data.length; len++) {
            assertThat(rejection(Arrays.copyOf(data, len))).as("cut to %d of %d", len, data.length)
                    .isEqualTo(Reason.TRUNCATED);
        }
        assertThat(rejection(payload(3, Integer.MAX_VALUE).build())).isEqualTo(Reason.TRUNCATED);
        assertThat(rejection(payload(3, 1).i32(Integer.MAX_VALUE).build())).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void unknownVersion() {
        for (int version : new int[] {0, 5, 0xFF}) {
            byte[] data = sampleBytes();
            data[0] = (byte) version;
            assertThat(rejection(data)).as("version %d", version).isEqualTo(Reason.UNKNOWN_VERSION);
        }
    }

    @Test
    void invalidContents() {
        List<byte[]> bad = new ArrayList<>();
        bad.add(Arrays.copyOf(sampleBytes(), sampleBytes().length + 1));
        bad.add(settings(payload(3, 0), 100, 1).build());
        bad.add(settings(payload(3, -1), 100, 1).build());
        bad.add(settings(payload(3, 1).i32(-3).i64(0), 100, 1).build());
        bad.add(settings(payload(3, 2).str("n1").i64(1).str("n1").i64(2), 100, 1).build());
        bad.add(settings(payload(3, 1).str("").i64(1), 100, 1).build());
        bad.add(settings(payload(3, 1).str("  ").i64(1), 100, 1).build());
        bad.add(settings(payload(3, 1).bytes(new byte[] {(byte) 0xC0, (byte) 0x80}).i64(1), 100, 1).build());
        bad.add(settings(payload(3, 1).str("n1").i64(1), 0, 1).build());
        bad.add(settings(payload(3, 1).str("n1").i64(1), 400, 1).build());
        bad.add(settings(payload(3, 1).str("n1").i64(1), 100, 2).build());
        bad.add(settingsV1(payload(3, 1).str("n1").i64(1), 100, 1).i64(1999).u8(0).build()); // session < election max
        bad.add(settingsV2(payload(3, 1).str("n1").i64(1), 100, 1).u8(1).build()); // leases without CheckQuorum
        bad.add(settingsV2(payload(3, 1).str("n1").i64(1), 100, 1).u8(2).build()); // not a boolean
        bad.add(settings(new FrameBuilder().u8(4).i64(7).i32(1).str("n1").i64(1).u8(0), 100, 1).build()); // no voter
        bad.add(settings(new FrameBuilder().u8(4).i64(7).i32(1).str("n1").i64(1).u8(2), 100, 1).build()); // voter 2
        for (byte[] data : bad) {
            assertThat(rejection(data)).as(HexFormat.of().formatHex(data)).isEqualTo(Reason.INVALID);
        }
        // Sanity: the base of those payloads is valid.
        assertThat(ConfigurationCodec.decode(settings(payload(3, 1).str("n1").i64(1), 100, 1).build()).members())
                .containsExactly(new Member("n1", 1));
    }

    @Test
    void mutatedPayloadsOnlyFailAsMalformed() {
        SplittableRandom seeds = new SplittableRandom(BASE_SEED);
        List<byte[]> valid = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            valid.add(ConfigurationCodec.encode(new RandomMessages(seeds.nextLong()).configuration()));
        }
        Set<Reason> seen = EnumSet.noneOf(Reason.class);
        int accepted = 0;
        for (int i = 0; i < 30_000; i++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            byte[] data = WireCodecFuzzTest.mutate(valid.get(rnd.nextInt(valid.size())), rnd);
            ClusterConfiguration c;
            try {
                c = ConfigurationCodec.decode(data);
            } catch (MalformedFrameException e) {
                seen.add(e.reason());
                continue;
            } catch (Throwable t) {
                throw new AssertionError("seed " + seed + " input " + HexFormat.of().formatHex(data), t);
            }
            accepted++;
            assertThat(ConfigurationCodec.encode(c)).as("seed %d: accepted, so it must be the canonical encoding", seed)
                    .containsExactly(data);
        }
        assertThat(seen).containsExactlyInAnyOrder(Reason.TRUNCATED, Reason.UNKNOWN_VERSION, Reason.INVALID);
        assertThat(accepted).isPositive();
    }

    @Test
    void nullIsACallerError() {
        assertThatThrownBy(() -> ConfigurationCodec.encode(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ConfigurationCodec.decode(null)).isInstanceOf(NullPointerException.class);
    }
}
