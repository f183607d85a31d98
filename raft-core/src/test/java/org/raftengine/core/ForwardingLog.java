package org.raftengine.core;

import java.util.List;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;

/**
 * An {@link InMemoryRaftLog} behind the {@link RaftLog} methods every log must have, for tests that change one
 * of them (a failure, a note of the calling thread). The optional methods keep their defaults: no snapshots, and
 * the log may block.
 */
class ForwardingLog implements RaftLog {
    protected final InMemoryRaftLog log;

    ForwardingLog() {
        this(new InMemoryRaftLog());
    }

    ForwardingLog(InMemoryRaftLog log) {
        this.log = log;
    }

    @Override
    public long storageId() {
        return log.storageId();
    }

    @Override
    public HardState hardState() {
        return log.hardState();
    }

    @Override
    public void saveHardState(HardState state) {
        log.saveHardState(state);
    }

    @Override
    public long firstIndex() {
        return log.firstIndex();
    }

    @Override
    public long lastIndex() {
        return log.lastIndex();
    }

    @Override
    public long termAt(long index) {
        return log.termAt(index);
    }

    @Override
    public List<LogEntry> read(long fromIndex, long toIndex, long maxBytes) {
        return log.read(fromIndex, toIndex, maxBytes);
    }

    @Override
    public void append(List<LogEntry> entries) {
        log.append(entries);
    }

    @Override
    public boolean isBroken() {
        return log.isBroken();
    }

    @Override
    public String brokenReason() {
        return log.brokenReason();
    }

    @Override
    public void markBroken(String reason) {
        log.markBroken(reason);
    }
}
