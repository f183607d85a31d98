package org.raftengine.testkit.sim;

import java.util.List;
import java.util.Objects;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;

/**
 * The log a simulated node writes through: the node's own storage, with every batch written also shown
 * to the checker (LOG-MATCH per write), together with the term of the entry the batch follows.
 */
final class ObservedLog implements RaftLog {

    /** Sees a batch about to replace the log from its first index on. */
    interface AppendObserver {
        void onAppend(long previousTerm, List<LogEntry> batch);
    }

    private final RaftLog storage;
    private final AppendObserver observer;

    ObservedLog(RaftLog storage, AppendObserver observer) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public void append(List<LogEntry> entries) {
        long previousTerm = 0;
        if (!entries.isEmpty()) {
            long before = entries.get(0).index() - 1;
            boolean known = before >= storage.firstIndex() - 1 && before <= storage.lastIndex();
            previousTerm = known ? storage.termAt(before) : 0;
        }
        storage.append(entries); // a write that fails (injected) is not shown: it changed nothing
        observer.onAppend(previousTerm, entries);
    }

    @Override
    public long storageId() {
        return storage.storageId();
    }

    @Override
    public HardState hardState() {
        return storage.hardState();
    }

    @Override
    public void saveHardState(HardState state) {
        storage.saveHardState(state);
    }

    @Override
    public long firstIndex() {
        return storage.firstIndex();
    }

    @Override
    public long lastIndex() {
        return storage.lastIndex();
    }

    @Override
    public long termAt(long index) {
        return storage.termAt(index);
    }

    @Override
    public List<LogEntry> read(long fromIndex, long toIndex, long maxBytes) {
        return storage.read(fromIndex, toIndex, maxBytes);
    }

    @Override
    public boolean supportsSnapshots() {
        return storage.supportsSnapshots();
    }

    @Override
    public SnapshotMeta snapshot() {
        return storage.snapshot();
    }

    @Override
    public SnapshotSink beginSnapshot(long index, long term, ClusterConfiguration configuration) {
        return storage.beginSnapshot(index, term, configuration);
    }

    @Override
    public byte[] readSnapshot(SnapshotMeta which, long offset, int maxBytes) {
        return storage.readSnapshot(which, offset, maxBytes);
    }

    @Override
    public void compactUpTo(long index) {
        storage.compactUpTo(index);
    }

    @Override
    public boolean isBroken() {
        return storage.isBroken();
    }

    @Override
    public String brokenReason() {
        return storage.brokenReason();
    }

    @Override
    public void markBroken(String reason) {
        storage.markBroken(reason);
    }
}
