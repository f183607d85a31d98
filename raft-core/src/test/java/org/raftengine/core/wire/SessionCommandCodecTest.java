package org.raftengine.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.raftengine.core.wire.MalformedFrameException.Reason;

class SessionCommandCodecTest {

    private static Reason rejection(byte[] data) {
        MalformedFrameException e = catchThrowableOfType(MalformedFrameException.class,
                () -> SessionCommandCodec.decode(data));
        assertThat(e).as("decoding should fail").isNotNull();
        return e.reason();
    }

    @Test
    void layoutIsAsDocumented() {
        SessionCommand c = new SessionCommand("cl", 7, 3, 0x0102030405060708L, true, new byte[] {9, 8, 7});
        byte[] expected = new FrameBuilder().u8(1).u8(1).str("cl").i64(7).i64(3).i64(0x0102030405060708L)
                .u8(9).u8(8).u8(7).build();
        assertThat(SessionCommandCodec.encode(c)).containsExactly(expected);
        assertThat(SessionCommandCodec.decode(expected)).isEqualTo(c);
        assertThat(expected.length).isEqualTo(SessionCommandCodec.headerSize("cl") + 3);
    }

    @Test
    void randomCommandsRoundTrip() {
        SplittableRandom rnd = new SplittableRandom(44);
        for (int i = 0; i < 2_000; i++) {
            byte[] command = new byte[rnd.nextInt(64)];
            rnd.nextBytes(command);
            long seq = 1 + rnd.nextLong(Long.MAX_VALUE - 1);
            SessionCommand c = new SessionCommand("id-" + rnd.nextInt() + "-ü", seq, 1 + rnd.nextLong(seq),
                    rnd.nextLong(), rnd.nextBoolean(), command);
            assertThat(SessionCommandCodec.decode(SessionCommandCodec.encode(c))).isEqualTo(c);
        }
        SessionCommand empty = new SessionCommand("x", 1, 1, 0, false, new byte[0]);
        assertThat(SessionCommandCodec.decode(SessionCommandCodec.encode(empty))).isEqualTo(empty);
        assertThat(empty.stamped(42).leaderTimeMillis()).isEqualTo(42);
    }

    @Test
    void badPayloadsAreRejectedWithTheirReason() {
        byte[] good = SessionCommandCodec.encode(new SessionCommand("cl", 2, 1, 5, false, new byte[0]));
        for (int len = 0; len < good.length; len++) {
            assertThat(rejection(Arrays.copyOf(good, len))).as("cut to %d", len).isEqualTo(Reason.TRUNCATED);
        }
        byte[] v2 = good.clone();
        v2[0] = 2;
        assertThat(rejection(v2)).isEqualTo(Reason.UNKNOWN_VERSION);
        assertThat(rejection(new FrameBuilder().u8(1).u8(0).str("cl").i64(0).i64(1).i64(0).build()))
                .isEqualTo(Reason.INVALID); // sequence 0
        assertThat(rejection(new FrameBuilder().u8(1).u8(0).str("cl").i64(3).i64(4).i64(0).build()))
                .isEqualTo(Reason.INVALID); // mark above the sequence
        assertThat(rejection(new FrameBuilder().u8(1).u8(0).str(" ").i64(3).i64(1).i64(0).build()))
                .isEqualTo(Reason.INVALID); // blank id
        assertThat(rejection(new FrameBuilder().u8(1).u8(2).str("cl").i64(3).i64(1).i64(0).build()))
                .isEqualTo(Reason.INVALID); // unknown flag
        assertThat(rejection(new FrameBuilder().u8(1).u8(0).i32(100_000).build())).isEqualTo(Reason.OVERSIZE);
    }

    @Test
    void callerErrorsAreRefusedWhenEncoding() {
        assertThatThrownBy(() -> new SessionCommand("a", 1, 2, 0, false, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        String longId = "x".repeat(SessionCommandCodec.MAX_CLIENT_ID_BYTES + 1);
        assertThatThrownBy(() -> SessionCommandCodec.encode(new SessionCommand(longId, 1, 1, 0, false,
                "c".getBytes(StandardCharsets.UTF_8)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + SessionCommandCodec.MAX_CLIENT_ID_BYTES);
    }
}
