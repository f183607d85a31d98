package org.raftengine.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.ForwardCommand;
import org.raftengine.core.message.ForwardResponse;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;

/**
 * decode(encode(m)) gives back m for random messages of every type. Seeds are fixed so runs repeat;
 * {@code -Dwire.seed=N} runs another sample.
 */
class WireCodecRoundTripTest {

    private static final long BASE_SEED = Long.getLong("wire.seed", 0x7A11_CAFEL);
    private static final int PER_TYPE = 1_500;

    private final WireCodec codec = new WireCodec("cluster-Ω");

    @Test
    void randomMessagesOfEveryTypeRoundTrip() {
        SplittableRandom seeds = new SplittableRandom(BASE_SEED);
        Set<EntryType> entryTypes = EnumSet.noneOf(EntryType.class);
        Set<Class<?>> resultKinds = new HashSet<>();
        boolean nullLeader = false;
        boolean nonAscii = false;
        boolean emptyBytes = false;
        boolean bigBytes = false;
        int maxEntries = 0;
        for (int type = 0; type < RandomMessages.TYPE_COUNT; type++) {
            for (int i = 0; i < PER_TYPE; i++) {
                long seed = seeds.nextLong();
                RaftMessage m = new RandomMessages(seed).ofType(type);
                byte[] frame = codec.encode(m);
                RaftMessage decoded;
                if (i % 3 == 0) {
                    // In place from a larger buffer, as a transport would: only the range may be read.
                    byte[] buf = new byte[frame.length + 7];
                    new SplittableRandom(seed).nextBytes(buf);
                    System.arraycopy(frame, 0, buf, 3, frame.length);
                    decoded = codec.decode(buf, 3, frame.length);
                } else {
                    decoded = codec.decode(frame);
                }
                assertThat(Fields.of(decoded)).as("seed %d, message %s", seed, m).isEqualTo(Fields.of(m));
                assertThat(decoded).isNotSameAs(m);

                nonAscii |= m.from().chars().anyMatch(c -> c > 0x7F);
                if (m instanceof AppendEntries a) {
                    maxEntries = Math.max(maxEntries, a.entries().size());
                    for (LogEntry e : a.entries()) {
                        entryTypes.add(e.type());
                        emptyBytes |= e.data().length == 0;
                        bigBytes |= e.data().length >= 16 << 10;
                        assertThat(e.isIntact()).isTrue();
                    }
                    // LogEntry compares data by content, so plain equals must hold too.
                    assertThat(decoded).as("seed %d", seed).isEqualTo(m);
                } else if (m instanceof ForwardResponse f) {
                    resultKinds.add(f.result().getClass());
                    nullLeader |= f.result() instanceof CommandResult.Redirect r && r.leaderId() == null;
                } else if (!(m instanceof ForwardCommand) && !(m instanceof InstallSnapshot)) {
                    // Messages with a byte array compare by Fields above; the others by plain equals too.
                    assertThat(decoded).as("seed %d", seed).isEqualTo(m);
                }
            }
        }
        assertThat(codec.rejectedFrames()).isZero();
        // The sample must really cover what it claims to, or the loop above proves little.
        assertThat(entryTypes).containsExactlyInAnyOrder(EntryType.values());
        assertThat(resultKinds).hasSize(6);
        assertThat(maxEntries).isEqualTo(50);
        assertThat(nullLeader).isTrue();
        assertThat(nonAscii).isTrue();
        assertThat(emptyBytes).isTrue();
        assertThat(bigBytes).isTrue();
    }

    @Test
    void largePayloadsRoundTrip() {
        SplittableRandom rnd = new SplittableRandom(BASE_SEED);
        byte[] command = new byte[3 << 20];
        rnd.nextBytes(command);
        ForwardCommand fc = new ForwardCommand("f", "l", 1, 2, 3, command);
        assertThat(Fields.of(codec.decode(codec.encode(fc)))).isEqualTo(Fields.of(fc));

        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] data = new byte[64 << 10];
            rnd.nextBytes(data);
            entries.add(LogEntry.of(i + 1, 7, EntryType.values()[i % 3], i, data));
        }
        AppendEntries ae = new AppendEntries("l", "f", 1, 7, 0, 0, 50, entries);
        assertThat(codec.decode(codec.encode(ae))).isEqualTo(ae);

        ForwardResponse ok = new ForwardResponse("l", "f", 1, 7, 9, new CommandResult.Ok(5, command));
        assertThat(Fields.of(codec.decode(codec.encode(ok)))).isEqualTo(Fields.of(ok));
    }

    @Test
    void extremeNumbersRoundTrip() {
        for (long v : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, 255, 256, Integer.MAX_VALUE,
                1L << 32, Long.MAX_VALUE}) {
            VoteRequest m = new VoteRequest("a", "b", v, v, v, v, true, true);
            assertThat(codec.decode(codec.encode(m))).as("value %d", v).isEqualTo(m);
            AppendEntries ae = new AppendEntries("a", "b", v, v, v, v, v,
                    List.of(LogEntry.of(v, v, EntryType.COMMAND, v, new byte[] {(byte) v})));
            assertThat(codec.decode(codec.encode(ae))).as("value %d", v).isEqualTo(ae);
        }
    }

    @Test
    void oneCodecServesManyThreads() throws Exception {
        int threads = 4;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = BASE_SEED + t;
                results.add(pool.submit(() -> {
                    RandomMessages gen = new RandomMessages(seed, 5, 0);
                    int bad = 0;
                    for (int i = 0; i < perThread; i++) {
                        RaftMessage m = gen.any();
                        byte[] frame = codec.encode(m);
                        assertThat(Fields.of(codec.decode(frame))).as("seed %d", seed).isEqualTo(Fields.of(m));
                        if (i % 4 == 0) {
                            byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 1);
                            try {
                                codec.decode(cut);
                            } catch (MalformedFrameException expected) {
                                bad++;
                            }
                        }
                    }
                    return bad;
                }));
            }
            long totalBad = 0;
            for (Future<Integer> f : results) {
                totalBad += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(totalBad).isEqualTo(threads * perThread / 4);
            assertThat(codec.rejectedFrames()).isEqualTo(totalBad);
        } finally {
            pool.shutdownNow();
        }
    }
}
