package org.raftengine.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.raftengine.core.spi.LogEntry;

class EntryTailTest {

    private static LogEntry entry(long index, int size) {
        return LogEntry.command(index, 1, new byte[size]);
    }

    @Test
    void growsTruncatesAndEvictsAcrossTheRingBoundary() {
        EntryTail tail = new EntryTail(1);
        for (long i = 1; i <= 3000; i++) {
            tail.append(entry(i, 1));
        }
        tail.evictUpTo(1500);
        assertThat(tail.start()).isEqualTo(1501);
        for (long i = 3001; i <= 4000; i++) {
            tail.append(entry(i, 1));
        }
        tail.truncateFrom(3500);
        assertThat(tail.last()).isEqualTo(3499);
        assertThat(tail.get(1501).index()).isEqualTo(1501);
        assertThat(tail.get(3499).index()).isEqualTo(3499);
        assertThat(tail.contains(1500)).isFalse();
        assertThatThrownBy(() -> tail.get(3500)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> tail.append(entry(3501, 1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sliceHonoursEntryAndByteLimitsButAlwaysGivesOneEntry() {
        EntryTail tail = new EntryTail(1);
        for (long i = 1; i <= 10; i++) {
            tail.append(entry(i, 100));
        }
        assertThat(tail.slice(1, 10, 3, Long.MAX_VALUE)).extracting(LogEntry::index).containsExactly(1L, 2L, 3L);
        long perEntry = entry(1, 100).sizeBytes();
        assertThat(tail.slice(2, 10, 100, perEntry * 2)).hasSize(2);
        assertThat(tail.slice(5, 10, 100, 1)).hasSize(1);
        assertThat(tail.slice(11, 20, 100, 1000)).isEmpty();
        List<LogEntry> all = tail.slice(1, 10, 100, Long.MAX_VALUE);
        assertThat(all).hasSize(10);
    }

    @Test
    void evictingEverythingMovesTheStartPastTheEvictedIndex() {
        EntryTail tail = new EntryTail(1);
        tail.append(entry(1, 1));
        tail.evictUpTo(5);
        assertThat(tail.start()).isEqualTo(6);
        tail.append(entry(6, 1));
        assertThat(tail.get(6).index()).isEqualTo(6);
    }

    @Test
    void aRepeatedSliceIsSharedUntilATruncationChangesTheEntries() {
        EntryTail tail = new EntryTail(1);
        for (long i = 1; i <= 5; i++) {
            tail.append(entry(i, 8));
        }
        List<LogEntry> first = tail.slice(2, 5, 100, Long.MAX_VALUE);
        assertThat(tail.slice(2, 5, 512, 1 << 20)).isSameAs(first);
        assertThat(tail.slice(2, 5, 2, Long.MAX_VALUE)).extracting(LogEntry::index).containsExactly(2L, 3L);
        assertThat(tail.slice(2, 5, 100, 1)).extracting(LogEntry::index).containsExactly(2L);

        tail.truncateFrom(4);
        tail.append(LogEntry.command(4, 2, new byte[8]));
        tail.append(LogEntry.command(5, 2, new byte[8]));
        List<LogEntry> after = tail.slice(2, 5, 100, Long.MAX_VALUE);
        assertThat(after).isNotSameAs(first).extracting(LogEntry::term).containsExactly(1L, 1L, 2L, 2L);
        assertThatThrownBy(() -> after.add(entry(6, 1))).isInstanceOf(UnsupportedOperationException.class);
    }
}
