package org.raftengine.testkit.tck;

import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.RaftLog;

/**
 * The in-memory log against the conformance suite. Its storage is the object itself, so a crash keeps the
 * instance (the node restarts on the same log), and a stored entry is corrupted through its test hook.
 */
class InMemoryRaftLogConformanceTest extends RaftLogConformance {

    @Override
    protected RaftLog newLog() {
        return new InMemoryRaftLog();
    }

    @Override
    protected RaftLog reopen(RaftLog log) {
        return log;
    }

    @Override
    protected void corruptStoredEntry(RaftLog log, long index) {
        ((InMemoryRaftLog) log).corruptEntry(index);
    }
}
