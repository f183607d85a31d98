package org.raftengine.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;

/**
 * {@link ChunkedEntries} against a plain list under random adds, replacements, truncations and prefix drops
 * crossing chunk boundaries: the same entries in the same places, and a heap estimate equal to the sum over
 * the entries held (the per-chunk sums it keeps so that dropping whole chunks reads none of their entries).
 */
class ChunkedEntriesTest {
    private static final int CHUNK = 4096;
    private static final long ENTRY_OBJECT_BYTES = 48;
    private static final long ARRAY_HEADER_BYTES = 16;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void matchesAPlainListAndItsHeapEstimate(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ChunkedEntries chunked = new ChunkedEntries();
        List<LogEntry> model = new ArrayList<>();
        long next = 1;
        for (int step = 0; step < 400; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                int n = random.nextInt(3 * CHUNK);
                for (int i = 0; i < n; i++) {
                    LogEntry e = LogEntry.of(next++, 1, EntryType.COMMAND, 0, new byte[random.nextInt(100)]);
                    chunked.add(e);
                    model.add(e);
                }
            } else if (op < 7 && !model.isEmpty()) {
                int keep = model.size() - random.nextInt(Math.min(model.size(), CHUNK + 10) + 1);
                chunked.truncate(keep);
                model.subList(keep, model.size()).clear();
            } else if (op < 9) {
                int drop = random.nextInt(Math.max(1, model.size() + 10));
                chunked.dropFirst(drop);
                model.subList(0, Math.min(drop, model.size())).clear();
            } else if (!model.isEmpty()) {
                int at = random.nextInt(model.size());
                LogEntry e = LogEntry.of(next++, 2, EntryType.COMMAND, 0, new byte[random.nextInt(300)]);
                chunked.set(at, e);
                model.set(at, e);
            }
            assertThat(chunked.size()).isEqualTo(model.size());
            assertThat(chunked.chunkCount()).as("chunks held after step %d", step)
                    .isLessThanOrEqualTo(model.size() / CHUNK + 2);
            assertThat(chunked.heapBytes()).as("heap estimate after step %d", step)
                    .isEqualTo(model.stream().mapToLong(ChunkedEntriesTest::heapBytes).sum()
                            + chunked.chunkCount() * (ARRAY_HEADER_BYTES + 4L * CHUNK));
        }
        assertThat(chunked.toList()).isEqualTo(model);
    }

    private static long heapBytes(LogEntry e) {
        return ENTRY_OBJECT_BYTES + ((ARRAY_HEADER_BYTES + e.data().length + 7) & ~7L);
    }
}
