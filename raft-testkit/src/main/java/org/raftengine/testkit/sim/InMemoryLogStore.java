package org.raftengine.testkit.sim;

import java.util.List;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;

/** {@link LogStore#inMemory()}: the default store of a {@link SimCluster}. */
final class InMemoryLogStore implements LogStore {
    static final InMemoryLogStore INSTANCE = new InMemoryLogStore();

    private InMemoryLogStore() {
    }

    @Override
    public RaftLog create(String nodeId, long storageId) {
        return new InMemoryRaftLog(storageId);
    }

    @Override
    public RaftLog reopen(String nodeId, RaftLog crashed) {
        InMemoryRaftLog log = (InMemoryRaftLog) crashed;
        log.loseUnsyncedWrites(); // only a log whose durability a test fakes loses anything here
        return log;
    }

    @Override
    public RaftLog wipe(String nodeId, RaftLog lost, long storageId) {
        return new InMemoryRaftLog(storageId);
    }

    @Override
    public List<LogEntry> entries(RaftLog log) {
        return ((InMemoryRaftLog) log).snapshotEntries();
    }

    @Override
    public String toString() {
        return "in memory";
    }
}
