package org.raftengine.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.raftengine.core.spi.CorruptEntryException;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;

class InMemoryRaftLogTest {

    private static LogEntry entry(long index, long term, String data) {
        return LogEntry.command(index, term, data.getBytes(StandardCharsets.UTF_8));
    }

    /** Entries {@code from..to}, all in {@code term}, with data "i". */
    private static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(entry(i, term, "e" + i));
        }
        return list;
    }

    @Test
    void newLogIsEmptyWithInitialHardState() {
        InMemoryRaftLog log = new InMemoryRaftLog(42);

        assertThat(log.storageId()).isEqualTo(42);
        assertThat(log.firstIndex()).isEqualTo(1);
        assertThat(log.lastIndex()).isEqualTo(0);
        assertThat(log.hardState()).isEqualTo(HardState.INITIAL);
        assertThat(log.termAt(0)).isZero();
        assertThat(log.isBroken()).isFalse();
        assertThat(log.brokenReason()).isNull();
        assertThat(log.snapshotEntries()).isEmpty();
    }

    @Test
    void storageIdMustBeNonZero() {
        assertThatThrownBy(() -> new InMemoryRaftLog(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultStorageIdsAreRandomAndNonZero() {
        long a = new InMemoryRaftLog().storageId();
        long b = new InMemoryRaftLog().storageId();
        assertThat(a).isNotZero();
        assertThat(b).isNotZero();
        // 2^-64 chance of a false failure.
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void savesHardState() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.saveHardState(new HardState(3, "n2"));
        assertThat(log.hardState()).isEqualTo(new HardState(3, "n2"));
    }

    @Test
    void appendThenReadAndTermAt() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(List.of(entry(1, 1, "a"), entry(2, 1, "b")));
        log.append(List.of(entry(3, 2, "c")));

        assertThat(log.lastIndex()).isEqualTo(3);
        assertThat(log.termAt(1)).isEqualTo(1);
        assertThat(log.termAt(2)).isEqualTo(1);
        assertThat(log.termAt(3)).isEqualTo(2);
        assertThat(log.read(1, 3, Long.MAX_VALUE))
                .containsExactly(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 2, "c"));
        assertThat(log.read(2, 2, Long.MAX_VALUE)).containsExactly(entry(2, 1, "b"));
    }

    @Test
    void appendingAnEmptyBatchChangesNothing() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 2, 1));
        log.append(List.of());
        assertThat(log.snapshotEntries()).isEqualTo(entries(1, 2, 1));
    }

    @Test
    void appendReplacesTheWholeSuffixFromItsFirstIndex() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 5, 1));

        // A shorter batch in a newer term overwrites 3 and removes 4 and 5 too.
        log.append(List.of(entry(3, 2, "x")));

        assertThat(log.lastIndex()).isEqualTo(3);
        assertThat(log.termAt(3)).isEqualTo(2);
        assertThat(log.snapshotEntries())
                .containsExactly(entry(1, 1, "e1"), entry(2, 1, "e2"), entry(3, 2, "x"));
        assertThatThrownBy(() -> log.termAt(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void appendCanReplaceFromTheFirstIndex() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 3, 1));
        log.append(entries(1, 2, 5));
        assertThat(log.snapshotEntries()).isEqualTo(entries(1, 2, 5));
    }

    @Test
    void appendRejectsAGapAfterTheEnd() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 2, 1));

        assertThatThrownBy(() -> log.append(List.of(entry(4, 1, "gap"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4")
                .hasMessageContaining("between 1 and 3");
        assertThat(log.snapshotEntries()).isEqualTo(entries(1, 2, 1));
    }

    @Test
    void appendRejectsIndexZero() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        assertThatThrownBy(() -> log.append(List.of(entry(0, 1, "zero"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(log.lastIndex()).isZero();
    }

    @Test
    void appendRejectsANonContiguousBatchWithoutChangingTheLog() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 3, 1));

        assertThatThrownBy(() -> log.append(List.of(entry(2, 2, "a"), entry(4, 2, "b"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contiguous");
        // The would-be truncation from index 2 must not have happened.
        assertThat(log.snapshotEntries()).isEqualTo(entries(1, 3, 1));
    }

    @Test
    void termAtOutOfRangeThrows() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 2, 1));

        assertThatThrownBy(() -> log.termAt(3))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("3");
        assertThatThrownBy(() -> log.termAt(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void readOutOfRangeThrows() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 3, 1));

        assertThatThrownBy(() -> log.read(2, 4, Long.MAX_VALUE))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("2..4");
        assertThatThrownBy(() -> log.read(0, 1, Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void readOfAnEmptyRangeIsEmpty() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 3, 1));
        assertThat(log.read(4, 3, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void readStopsOnceMaxBytesIsReached() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        List<LogEntry> all = new ArrayList<>();
        for (long i = 1; i <= 5; i++) {
            all.add(LogEntry.command(i, 1, new byte[10]));
        }
        log.append(all);
        long size = all.get(0).sizeBytes();

        // Exactly two entries' worth: stops after the second.
        assertThat(log.read(1, 5, 2 * size)).containsExactlyElementsOf(all.subList(0, 2));
        // Just over two: the third is needed to reach the limit.
        assertThat(log.read(1, 5, 2 * size + 1)).containsExactlyElementsOf(all.subList(0, 3));
        // Too small for even one: one entry all the same.
        assertThat(log.read(2, 5, 1)).containsExactly(all.get(1));
        assertThat(log.read(2, 5, 0)).containsExactly(all.get(1));
    }

    @Test
    void readDetectsACorruptedEntry() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 3, 1));

        log.corruptEntry(2);

        assertThat(log.snapshotEntries().get(1).isIntact()).isFalse();
        assertThat(log.snapshotEntries().get(1).checksum()).isEqualTo(entry(2, 1, "e2").checksum());
        assertThatThrownBy(() -> log.read(1, 3, Long.MAX_VALUE))
                .isInstanceOf(CorruptEntryException.class)
                .hasMessageContaining("2");
        // Entries around it still read.
        assertThat(log.read(1, 1, Long.MAX_VALUE)).containsExactly(entry(1, 1, "e1"));
        assertThat(log.read(3, 3, Long.MAX_VALUE)).containsExactly(entry(3, 1, "e3"));
    }

    @Test
    void corruptionOfAnEntryWithoutDataIsDetected() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(List.of(LogEntry.of(1, 1, EntryType.NOOP, 0, new byte[0])));

        log.corruptEntry(1);

        assertThatThrownBy(() -> log.read(1, 1, Long.MAX_VALUE)).isInstanceOf(CorruptEntryException.class);
    }

    @Test
    void corruptEntryOutOfRangeThrows() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        assertThatThrownBy(() -> log.corruptEntry(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void brokenFlagKeepsTheFirstReason() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);

        log.markBroken("apply failed at 7");
        log.markBroken("later failure");

        assertThat(log.isBroken()).isTrue();
        assertThat(log.brokenReason()).isEqualTo("apply failed at 7");
        assertThat(log.toString()).contains("broken");
    }

    @Test
    void writeFailureLeavesTheLogUnchanged() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 3, 1));
        log.saveHardState(new HardState(1, "n1"));
        IllegalStateException diskFull = new IllegalStateException("disk full");

        log.setWriteFailure(() -> diskFull);

        // Even an append that would truncate must leave everything in place.
        assertThatThrownBy(() -> log.append(List.of(entry(2, 2, "new")))).isSameAs(diskFull);
        assertThatThrownBy(() -> log.saveHardState(new HardState(2, "n2"))).isSameAs(diskFull);
        assertThat(log.snapshotEntries()).isEqualTo(entries(1, 3, 1));
        assertThat(log.hardState()).isEqualTo(new HardState(1, "n1"));
        // Reads still work: only writes fail.
        assertThat(log.read(1, 3, Long.MAX_VALUE)).isEqualTo(entries(1, 3, 1));

        log.setWriteFailure(null);
        log.append(List.of(entry(2, 2, "new")));
        assertThat(log.lastIndex()).isEqualTo(2);
        assertThat(log.termAt(2)).isEqualTo(2);
    }

    @Test
    void writeFailureSupplierCanFailAGivenNumberOfWrites() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        AtomicInteger remaining = new AtomicInteger(2);
        log.setWriteFailure(() -> remaining.getAndDecrement() > 0 ? new RuntimeException("db down") : null);

        assertThatThrownBy(() -> log.append(entries(1, 1, 1))).hasMessage("db down");
        assertThatThrownBy(() -> log.append(entries(1, 1, 1))).hasMessage("db down");
        log.append(entries(1, 1, 1));

        assertThat(log.snapshotEntries()).isEqualTo(entries(1, 1, 1));
    }

    @Test
    void snapshotEntriesIsACopy() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 2, 1));
        List<LogEntry> before = log.snapshotEntries();

        log.append(List.of(entry(2, 3, "z")));

        assertThat(before).isEqualTo(entries(1, 2, 1));
        assertThatThrownBy(() -> before.add(entry(3, 1, "x"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void largeLogKeepsIndexesConsistent() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        for (long i = 1; i <= 10_000; i += 100) {
            log.append(entries(i, i + 99, i));
        }
        assertThat(log.lastIndex()).isEqualTo(10_000);
        assertThat(log.termAt(10_000)).isEqualTo(9_901);
        assertThat(log.read(5_000, 10_000, Long.MAX_VALUE)).hasSize(5_001);
    }

    @Test
    void fakedDurabilityLosesWhatWasAppendedSinceOnAPowerLoss() {
        InMemoryRaftLog log = new InMemoryRaftLog(7);
        log.append(List.of(LogEntry.command(1, 1, new byte[] {1}), LogEntry.command(2, 1, new byte[] {2})));
        log.loseUnsyncedWrites();
        assertThat(log.lastIndex()).as("honest durability loses nothing").isEqualTo(2);
        log.fakeDurability();
        log.append(List.of(LogEntry.command(3, 1, new byte[] {3}), LogEntry.command(4, 1, new byte[] {4})));
        assertThat(log.lastIndex()).isEqualTo(4);
        log.loseUnsyncedWrites();
        assertThat(log.lastIndex()).isEqualTo(2);
        assertThat(log.termAt(2)).isEqualTo(1);
    }

    @Test
    void retainedBytesFollowChunksAndTheirData() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        assertThat(log.retainedBytes()).isZero();
        log.append(List.of(LogEntry.command(1, 1, new byte[64])));
        long one = log.retainedBytes();
        // one chunk: its columns, then its data array as first made (4 KB)
        assertThat(one).isEqualTo(ChunkedEntries.CHUNK_FIXED_BYTES + 16 + 4096);
        log.append(List.of(LogEntry.command(2, 1, new byte[64]), LogEntry.command(3, 1, new byte[1])));
        log.append(List.of(LogEntry.command(2, 2, new byte[0]))); // replaces 2 and 3
        log.corruptEntry(2); // the empty entry gains one byte
        assertThat(log.retainedBytes()).as("still within the first data array").isEqualTo(one);
        for (int i = 3; i <= 5000; i++) {
            log.append(List.of(LogEntry.command(i, 2, new byte[8])));
        }
        assertThat(log.retainedBytes()).as("five chunks")
                .isGreaterThanOrEqualTo(5 * ChunkedEntries.CHUNK_FIXED_BYTES + 4998 * 8);
    }
}
