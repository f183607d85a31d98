package org.raftengine.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;

/**
 * {@link ChunkedEntries} against a plain list under random adds, replacements (data of another length included),
 * truncations and prefix drops crossing chunk boundaries: the same entries, field by field, in the same places,
 * whole chunks released, and a heap estimate that covers what is held.
 */
class ChunkedEntriesTest {
    private static final int CHUNK = ChunkedEntries.CHUNK;
    private static final EntryType[] TYPES = EntryType.values();

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void matchesAPlainList(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ChunkedEntries chunked = new ChunkedEntries();
        List<LogEntry> model = new ArrayList<>();
        long next = 1;
        for (int step = 0; step < 400; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                int n = random.nextInt(3 * CHUNK);
                for (int i = 0; i < n; i++) {
                    LogEntry e = entry(random, next++, 100);
                    chunked.add(e);
                    model.add(e);
                }
            } else if (op < 7 && !model.isEmpty()) {
                int keep = model.size() - random.nextInt(Math.min(model.size(), CHUNK + 10) + 1);
                chunked.truncate(keep);
                model.subList(keep, model.size()).clear();
                next = model.isEmpty() ? next : model.get(model.size() - 1).index() + 1;
            } else if (op < 9) {
                int drop = random.nextInt(Math.max(1, model.size() + 10));
                chunked.dropFirst(drop);
                model.subList(0, Math.min(drop, model.size())).clear();
            } else if (!model.isEmpty()) {
                int at = random.nextInt(model.size());
                LogEntry e = entry(random, model.get(at).index(), 300);
                chunked.set(at, e);
                model.set(at, e);
            }
            assertThat(chunked.size()).isEqualTo(model.size());
            assertThat(chunked.chunkCount()).as("chunks held after step %d", step)
                    .isLessThanOrEqualTo(model.size() / CHUNK + 2);
            long data = model.stream().mapToLong(e -> e.data().length).sum();
            assertThat(chunked.heapBytes()).as("heap estimate after step %d", step)
                    .isGreaterThanOrEqualTo(chunked.chunkCount() * ChunkedEntries.CHUNK_FIXED_BYTES + data);
            if (!model.isEmpty()) {
                int at = random.nextInt(model.size());
                assertThat(chunked.get(at)).isEqualTo(model.get(at));
                assertThat(chunked.termAt(at)).isEqualTo(model.get(at).term());
            }
        }
        assertThat(chunked.toList()).isEqualTo(model);
    }

    @Test
    void anEntryReadBackIsACopyThatVerifies() {
        ChunkedEntries chunked = new ChunkedEntries();
        byte[] data = {1, 2, 3};
        LogEntry e = LogEntry.of(7, 2, EntryType.SESSION_COMMAND, 42, data);
        chunked.add(e);
        data[0] = 9; // the caller's array is not the one held
        LogEntry read = chunked.get(0);
        assertThat(read.index()).isEqualTo(7);
        assertThat(read.requestId()).isEqualTo(42);
        assertThat(read.type()).isEqualTo(EntryType.SESSION_COMMAND);
        assertThat(read.data()).containsExactly(1, 2, 3);
        assertThat(read.isIntact()).isTrue();
        read.data()[1] = 9;
        assertThat(chunked.get(0).data()).containsExactly(1, 2, 3);
    }

    @Test
    void entriesMustFollowEachOther() {
        ChunkedEntries chunked = new ChunkedEntries();
        chunked.add(LogEntry.command(5, 1, new byte[0]));
        assertThatThrownBy(() -> chunked.add(LogEntry.command(7, 1, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not follow entry 5");
        assertThatThrownBy(() -> chunked.set(0, LogEntry.command(6, 1, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSteadyFlowHoldsAboutItsDataAndColumns() {
        ChunkedEntries chunked = new ChunkedEntries();
        int n = 100_000;
        for (int i = 1; i <= n; i++) {
            chunked.add(LogEntry.command(i, 1, new byte[64]));
        }
        long columns = (long) chunked.chunkCount() * ChunkedEntries.CHUNK_FIXED_BYTES;
        // Each chunk's data array is sized after the one before: at most an eighth unused, but for the first.
        assertThat(chunked.heapBytes() - columns).isLessThan(n * 64L * 9 / 8 + 64L * CHUNK);
    }

    private static LogEntry entry(SplittableRandom random, long index, int maxData) {
        byte[] data = new byte[random.nextInt(maxData)];
        random.nextBytes(data);
        return LogEntry.of(index, 1 + random.nextInt(3), TYPES[random.nextInt(TYPES.length)], random.nextLong(), data);
    }
}
