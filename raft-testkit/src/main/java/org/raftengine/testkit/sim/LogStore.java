package org.raftengine.testkit.sim;

import java.util.ArrayList;
import java.util.List;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.CorruptEntryException;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;

/**
 * Where the nodes of a {@link SimCluster} keep their logs: how a node's log is made on new storage, opened
 * again after a crash, and replaced by a wipe. {@link #inMemory()} is the default; a store on a real
 * {@link RaftLog} (a database, files) runs the same simulated cluster, faults and checks on that log.
 *
 * <p>The simulator is single-threaded, and calls the log on its own thread: a log whose calls block (a
 * database round trip) just makes the run slower in wall time, never in virtual time.
 *
 * <p>The faults only {@link InMemoryRaftLog} can inject (lost unsynced writes, corrupt entries and
 * snapshots, failing writes) are reached through {@link SimCluster#log(String)}, which refuses a log of any
 * other type.
 */
public interface LogStore {

    /**
     * The log of {@code nodeId} on new, empty storage, when the cluster is built.
     *
     * @param storageId a non-zero storage id drawn from the seed, for a log that lets its maker choose it (so
     *                  runs replay exactly); a log that draws its own ignores it
     */
    RaftLog create(String nodeId, long storageId);

    /**
     * The log of {@code nodeId} as the next process finds it after the one that wrote through {@code crashed}
     * died: exactly what {@code crashed} made durable. Called at the crash, so checks of a node that is down
     * see what its storage holds; the node's next incarnation runs on the log returned, and {@code crashed}
     * is not called again.
     */
    RaftLog reopen(String nodeId, RaftLog crashed);

    /**
     * The log of {@code nodeId} on new, empty storage that replaces {@code lost}'s, as after a disk loss:
     * nothing {@code lost} held may show in it, and its storage id must differ from {@code lost}'s.
     *
     * @param storageId as for {@link #create}
     */
    RaftLog wipe(String nodeId, RaftLog lost, long storageId);

    /**
     * Every entry {@code log} holds, in index order, for the checks. The default reads them through
     * {@link RaftLog#read}, which verifies them, and leaves out the entries that fail (the checks treat a
     * corrupt entry as absent, since the engine must not use it).
     */
    default List<LogEntry> entries(RaftLog log) {
        long first = log.firstIndex();
        long last = log.lastIndex();
        if (last < first) {
            return List.of();
        }
        try {
            return log.read(first, last, Long.MAX_VALUE);
        } catch (CorruptEntryException e) {
            // One at a time, so one corrupt entry does not hide the others.
            List<LogEntry> intact = new ArrayList<>();
            for (long i = first; i <= last; i++) {
                try {
                    intact.add(log.read(i, i, Long.MAX_VALUE).get(0));
                } catch (CorruptEntryException corrupt) {
                    // left out
                }
            }
            return intact;
        }
    }

    /**
     * Logs in memory ({@link InMemoryRaftLog}), with storage ids drawn from the seed: a crash keeps the log
     * object and loses only writes a test told it to fake the durability of ({@link InMemoryRaftLog#fakeDurability});
     * {@link #entries} shows corrupt entries too, unverified.
     */
    static LogStore inMemory() {
        return InMemoryLogStore.INSTANCE;
    }
}
