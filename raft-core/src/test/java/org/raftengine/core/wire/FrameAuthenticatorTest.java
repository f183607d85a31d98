package org.raftengine.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.wire.MalformedFrameException.Reason;

class FrameAuthenticatorTest {

    private static final byte[] KEY_A = "key A, thirty-two bytes long....".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_B = "key B, thirty-two bytes long....".getBytes(StandardCharsets.UTF_8);

    private final WireCodec codec = new WireCodec("main");
    private final byte[] frame = codec.encode(new VoteRequest("n1", "n2", 10, 3, 7, 2, true, false));

    @Test
    void signedFrameIsTheFrameFollowedByItsHmacSha256() throws Exception {
        byte[] signed = new FrameAuthenticator(KEY_A).sign(frame);

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY_A, "HmacSHA256"));
        byte[] expectedTag = mac.doFinal(frame);
        assertThat(Arrays.copyOf(signed, frame.length)).isEqualTo(frame);
        assertThat(Arrays.copyOfRange(signed, frame.length, signed.length)).isEqualTo(expectedTag);
        assertThat(signed).hasSize(frame.length + FrameAuthenticator.TAG_BYTES);
    }

    @Test
    void verifiedFrameDecodesToTheMessageSent() {
        FrameAuthenticator auth = new FrameAuthenticator(KEY_A);
        byte[] signed = auth.sign(frame);

        int len = auth.verify(signed, 0, signed.length);

        RaftMessage m = codec.decode(signed, 0, len);
        assertThat(m).isEqualTo(new VoteRequest("n1", "n2", 10, 3, 7, 2, true, false));
        assertThat(auth.verify(signed)).isEqualTo(frame);
    }

    @Test
    void verifiesInPlaceWithinALargerBuffer() {
        FrameAuthenticator auth = new FrameAuthenticator(KEY_A);
        byte[] signed = auth.sign(frame);
        byte[] buf = new byte[signed.length + 10];
        System.arraycopy(signed, 0, buf, 4, signed.length);

        assertThat(auth.verify(buf, 4, signed.length)).isEqualTo(frame.length);
    }

    @Test
    void refusesUnsignedFrames() {
        FrameAuthenticator auth = new FrameAuthenticator(KEY_A);

        assertThatThrownBy(() -> auth.verify(frame))
                .isInstanceOfSatisfying(MalformedFrameException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INVALID))
                .hasMessageContaining("not authenticated");
        assertThatThrownBy(() -> auth.verify(new byte[5]))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("cannot carry");
        assertThatThrownBy(() -> auth.verify(new byte[0]))
                .isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void refusesAFrameSignedWithAnotherKey() {
        byte[] signedWithB = new FrameAuthenticator(KEY_B).sign(frame);

        assertThatThrownBy(() -> new FrameAuthenticator(KEY_A).verify(signedWithB))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("matches no accepted key");
    }

    @Test
    void refusesAnyFlippedBitInFrameOrTag() {
        FrameAuthenticator auth = new FrameAuthenticator(KEY_A);
        byte[] signed = auth.sign(frame);
        for (int i = 0; i < signed.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = signed.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> auth.verify(bad)).as("byte %d bit %d", i, bit)
                        .isInstanceOf(MalformedFrameException.class);
            }
        }
    }

    @Test
    void duringRotationAcceptsCurrentAndPreviousKeyAndSignsWithCurrent() {
        FrameAuthenticator rotated = new FrameAuthenticator(KEY_B, KEY_A);
        FrameAuthenticator old = new FrameAuthenticator(KEY_A);
        FrameAuthenticator next = new FrameAuthenticator(KEY_B);

        assertThat(rotated.verify(old.sign(frame))).isEqualTo(frame);
        assertThat(rotated.verify(next.sign(frame))).isEqualTo(frame);
        assertThat(rotated.sign(frame)).isEqualTo(next.sign(frame));
        assertThat(rotated.hasPreviousKey()).isTrue();
        // Once the previous key is dropped, its frames are refused.
        assertThatThrownBy(() -> next.verify(old.sign(frame))).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void secretsFromConfigurationAreTheirUtf8Bytes() {
        FrameAuthenticator fromText = FrameAuthenticator.fromSecrets(new String(KEY_B, StandardCharsets.UTF_8), "");

        assertThat(fromText.sign(frame)).isEqualTo(new FrameAuthenticator(KEY_B).sign(frame));
        assertThat(fromText.hasPreviousKey()).isFalse();
        assertThat(FrameAuthenticator.fromSecrets(new String(KEY_B, StandardCharsets.UTF_8),
                new String(KEY_A, StandardCharsets.UTF_8)).verify(new FrameAuthenticator(KEY_A).sign(frame)))
                .isEqualTo(frame);
    }

    @Test
    void refusesShortKeysWithoutShowingThem() {
        assertThatThrownBy(() -> new FrameAuthenticator("short-secret".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> new FrameAuthenticator(KEY_A, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("previous");
    }

    @Test
    void neverShowsAKey() {
        FrameAuthenticator auth = new FrameAuthenticator(KEY_A, KEY_B);

        assertThat(auth.toString())
                .doesNotContain(new String(KEY_A, StandardCharsets.UTF_8))
                .doesNotContain(new String(KEY_B, StandardCharsets.UTF_8))
                .doesNotContain(HexFormat.of().formatHex(KEY_A))
                .contains("HmacSHA256");
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        FrameAuthenticator auth = new FrameAuthenticator(KEY_A);
        byte[] expected = auth.sign(frame);
        Thread[] threads = new Thread[4];
        boolean[] ok = new boolean[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int me = t;
            threads[t] = new Thread(() -> {
                boolean all = true;
                for (int i = 0; i < 2_000; i++) {
                    all &= Arrays.equals(auth.sign(frame), expected) && auth.verify(expected).length == frame.length;
                }
                ok[me] = all;
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(ok).containsOnly(true);
    }
}
