package org.raftengine.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.spi.CorruptSnapshotException;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;

/** The snapshot and compaction half of the RaftLog contract, on the in-memory log. */
class InMemoryRaftLogSnapshotTest {
    private static final ClusterConfiguration CONF = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "a", "b", "c");

    private static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(LogEntry.command(i, term, ("e" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    private static byte[] data(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static SnapshotMeta write(InMemoryRaftLog log, long index, long term, byte[] data) {
        SnapshotSink sink = log.beginSnapshot(index, term, CONF);
        // In uneven pieces, across the 64 KiB pages.
        for (int off = 0; off < data.length; ) {
            int n = Math.min(data.length - off, 1 + off % 70_001);
            sink.write(data, off, n);
            off += n;
        }
        return sink.commit();
    }

    private static byte[] readAll(InMemoryRaftLog log, SnapshotMeta meta) throws IOException {
        try (InputStream in = log.openSnapshot(meta)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aSnapshotOfEntriesTheLogHoldsKeepsThemUntilCompacted() throws IOException {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 10, 1));
        log.append(entries(11, 20, 2));
        byte[] state = data(200_000);

        SnapshotMeta meta = write(log, 15, 2, state);

        assertThat(meta.index()).isEqualTo(15);
        assertThat(meta.sizeBytes()).isEqualTo(state.length);
        assertThat(log.snapshot()).isEqualTo(meta);
        assertThat(log.firstIndex()).isEqualTo(1);
        assertThat(readAll(log, meta)).isEqualTo(state);

        log.compactUpTo(12);
        assertThat(log.firstIndex()).isEqualTo(13);
        assertThat(log.termAt(12)).isEqualTo(2);
        assertThat(log.read(13, 20, Long.MAX_VALUE)).hasSize(8);
        assertThatThrownBy(() -> log.read(12, 13, Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> log.termAt(11)).isInstanceOf(IndexOutOfBoundsException.class);
        // Appends may still replace a suffix after the compacted prefix.
        log.append(entries(19, 25, 3));
        assertThat(log.lastIndex()).isEqualTo(25);
        assertThat(log.termAt(18)).isEqualTo(2);
    }

    @Test
    void aSnapshotTheLogDisagreesWithReplacesTheWholeLog() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 10, 1));

        // Index 8 holds term 1 here; the snapshot says term 3: the log goes, in the same step.
        SnapshotMeta meta = write(log, 8, 3, data(10));

        assertThat(log.firstIndex()).isEqualTo(9);
        assertThat(log.lastIndex()).isEqualTo(8);
        assertThat(log.termAt(8)).isEqualTo(3);
        assertThat(log.snapshot()).isEqualTo(meta);
        log.append(entries(9, 9, 3));
        assertThat(log.lastIndex()).isEqualTo(9);
    }

    @Test
    void aSnapshotPastTheEndOfTheLogReplacesItToo() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 5, 1));

        write(log, 40, 2, data(3));

        assertThat(log.firstIndex()).isEqualTo(41);
        assertThat(log.lastIndex()).isEqualTo(40);
        assertThat(log.termAt(40)).isEqualTo(2);
    }

    @Test
    void nothingIsVisibleBeforeTheCommitAndAnAbortLeavesTheLogAsItWas() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 10, 1));
        SnapshotSink sink = log.beginSnapshot(8, 1, CONF);
        sink.write(data(100), 0, 100);

        assertThat(log.snapshot()).isNull();
        sink.abort();

        assertThat(log.snapshot()).isNull();
        assertThat(log.firstIndex()).isEqualTo(1);
        assertThatThrownBy(sink::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailedCommitChangesNothing() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 10, 1));
        SnapshotMeta first = write(log, 4, 1, data(5));
        SnapshotSink sink = log.beginSnapshot(8, 2, CONF);
        sink.write(data(9), 0, 9);
        log.setWriteFailure(() -> new IllegalStateException("disk full"));

        assertThatThrownBy(sink::commit).hasMessage("disk full");

        assertThat(log.snapshot()).isEqualTo(first);
        assertThat(log.lastIndex()).isEqualTo(10);
    }

    @Test
    void onlyANewerSnapshotReplacesTheLatestAndReadersOfTheOldOneAreToldSo() throws IOException {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 10, 1));
        SnapshotMeta old = write(log, 5, 1, data(10));
        SnapshotSink stale = log.beginSnapshot(4, 1, CONF);

        assertThatThrownBy(stale::commit).isInstanceOf(IllegalStateException.class);

        SnapshotMeta newer = write(log, 9, 1, data(20));
        assertThat(log.readSnapshot(old, 0, 10)).isNull();
        assertThat(log.readSnapshot(newer, 18, 10)).hasSize(2);
        assertThatThrownBy(() -> readAll(log, old)).isInstanceOf(IOException.class);
        assertThat(readAll(log, newer)).isEqualTo(data(20));
    }

    @Test
    void compactionNeedsASnapshotThatCoversIt() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 10, 1));
        assertThatThrownBy(() -> log.compactUpTo(3)).isInstanceOf(IllegalArgumentException.class);
        write(log, 5, 1, data(1));
        assertThatThrownBy(() -> log.compactUpTo(6)).isInstanceOf(IllegalArgumentException.class);
        log.compactUpTo(5);
        log.compactUpTo(3); // already gone: nothing to do
        assertThat(log.firstIndex()).isEqualTo(6);
    }

    @Test
    void compactionReleasesMemory() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        for (long from = 1; from <= 100_000; from += 1000) {
            log.append(entries(from, from + 999, 1));
        }
        long before = log.retainedBytes();
        write(log, 99_000, 1, data(100));
        log.compactUpTo(99_000);

        assertThat(log.retainedBytes()).isLessThan(before / 20);
        assertThat(log.read(99_001, 100_000, Long.MAX_VALUE)).hasSize(1000);
    }

    @Test
    void aCorruptedSnapshotFailsItsChecksumWhenRead() {
        InMemoryRaftLog log = new InMemoryRaftLog(1);
        log.append(entries(1, 3, 1));
        SnapshotMeta meta = write(log, 3, 1, data(1000));
        log.corruptSnapshot();

        assertThatThrownBy(() -> readAll(log, meta)).isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("checksum");
    }
}
