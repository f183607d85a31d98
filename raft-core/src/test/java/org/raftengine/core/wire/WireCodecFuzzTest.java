package org.raftengine.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.wire.MalformedFrameException.Reason;

/**
 * Throws garbage at the decoder: whatever the bytes, it returns a message or throws
 * {@link MalformedFrameException}, nothing else. An accepted input must also be exactly the encoding of
 * what it decoded to, so the decoder cannot be quietly lenient (one message, one encoding).
 *
 * <p>Each input is built from its own seed, printed on failure with the input's hex; the run repeats with
 * the same base seed, and {@code -Dwire.seed=N} explores another sample.
 */
class WireCodecFuzzTest {

    private static final long BASE_SEED = Long.getLong("wire.seed", 0xF022_0001L);
    private static final String CLUSTER = "fuzz";
    private static final int RANDOM_INPUTS = 50_000;
    private static final int MUTATED_INPUTS = 50_000;
    private static final int RANDOM_BODIES = 20_000;

    private final WireCodec codec = new WireCodec(CLUSTER);
    /** Small enough that some mutated frames are over its limit. */
    private final WireCodec small = new WireCodec(CLUSTER, 256);

    private final Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
    private int accepted;

    @Test
    void decoderOnlyEverReturnsAMessageOrThrowsMalformedFrame() {
        SplittableRandom seeds = new SplittableRandom(BASE_SEED);
        List<byte[]> valid = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            valid.add(codec.encode(new RandomMessages(seeds.nextLong(), 6, 0).any()));
        }

        for (int i = 0; i < RANDOM_INPUTS; i++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            byte[] input = new byte[rnd.nextInt(201)];
            rnd.nextBytes(input);
            check(codec, input, seed);
        }
        for (int i = 0; i < MUTATED_INPUTS; i++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            byte[] input = mutate(valid.get(rnd.nextInt(valid.size())), rnd);
            check(codec, input, seed);
            if (i % 4 == 0) {
                check(small, input, seed);
            }
        }
        // Pure noise rarely gets past the magic, so also feed noise behind a header of this cluster.
        for (int i = 0; i < RANDOM_BODIES; i++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            byte[] body = new byte[rnd.nextInt(121)];
            rnd.nextBytes(body);
            byte[] input = FrameBuilder.header(rnd.nextInt(8), CLUSTER, "a", "b", rnd.nextLong(), rnd.nextLong())
                    .raw(body).build();
            check(codec, input, seed);
        }

        // Had the inputs never reached a path, the loop would prove nothing about it.
        assertThat(reasons.keySet()).as("rejection reasons met").containsExactlyInAnyOrder(Reason.values());
        assertThat(accepted).as("mutated frames still valid").isGreaterThan(1_000);
        assertThat(codec.rejectedFrames() + small.rejectedFrames())
                .isEqualTo(reasons.values().stream().mapToLong(Integer::longValue).sum());
    }

    private void check(WireCodec c, byte[] input, long seed) {
        RaftMessage m;
        try {
            m = c.decode(input);
        } catch (MalformedFrameException e) {
            if (e.reason() == null) {
                throw new AssertionError(failure(seed, input, "a rejection without a reason"), e);
            }
            reasons.merge(e.reason(), 1, Integer::sum);
            return;
        } catch (Throwable t) {
            throw new AssertionError(failure(seed, input, "threw " + t), t);
        }
        accepted++;
        byte[] again = c.encode(m);
        if (!Arrays.equals(again, input)) {
            throw new AssertionError(failure(seed, input, "accepted, but " + m + " encodes to "
                    + HexFormat.of().formatHex(again)));
        }
    }

    private static String failure(long seed, byte[] input, String what) {
        return "seed " + seed + " (base " + BASE_SEED + "): " + what + "; input " + input.length + " bytes: "
                + HexFormat.of().formatHex(input);
    }

    private static final int[] INTERESTING = {0, 1, -1, 2, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000,
            Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 7, 64 << 20, (64 << 20) + 1};

    /** One to three random edits of a valid frame. */
    static byte[] mutate(byte[] frame, SplittableRandom rnd) {
        byte[] b = frame.clone();
        int edits = 1 + rnd.nextInt(3);
        for (int k = 0; k < edits; k++) {
            int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
            switch (rnd.nextInt(8)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> {
                    int n = Math.min(b.length - at, 1 + rnd.nextInt(4));
                    for (int j = 0; j < n; j++) {
                        b[at + j] = (byte) rnd.nextInt(256);
                    }
                }
                case 2 -> {
                    byte[] ins = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(ins);
                    b = splice(b, at, 0, ins);
                }
                case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + rnd.nextInt(8)), new byte[0]);
                case 4 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                case 5 -> {
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(16));
                    byte[] range = Arrays.copyOfRange(b, at, at + len);
                    b = splice(b, b.length == 0 ? 0 : rnd.nextInt(b.length + 1), 0, range);
                }
                case 6 -> {
                    // Lengths and counts are int32: plant a value that stresses their checks.
                    int v = INTERESTING[rnd.nextInt(INTERESTING.length)];
                    for (int j = 0; j < 4 && at + j < b.length; j++) {
                        b[at + j] = (byte) (v >>> (24 - 8 * j));
                    }
                }
                default -> {
                    byte[] tail = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(tail);
                    b = splice(b, b.length, 0, tail);
                }
            }
        }
        return b;
    }

    /** {@code b} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
