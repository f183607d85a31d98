package org.raftengine.jpa;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.testkit.sim.LogStore;

/**
 * The simulated nodes' logs as {@link JpaRaftLog}s in one database, all under one cluster id: the nodes of a
 * cluster sharing the database, each keyed by its node id. A crash reopens the node's log from the database
 * and compares it with what the crashed log had acknowledged; a wipe deletes the node's rows.
 */
final class JpaLogStore implements LogStore {
    private final TestDatabase db;
    private final String clusterId;
    private final int snapshotChunkBytes;
    private int reopened;
    /** What a reopened log showed that the crashed one had not acknowledged, or the reverse. */
    private final List<String> mismatches = new ArrayList<>();

    JpaLogStore(TestDatabase db, String clusterId, int snapshotChunkBytes) {
        this.db = Objects.requireNonNull(db, "db");
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.snapshotChunkBytes = snapshotChunkBytes;
    }

    String clusterId() {
        return clusterId;
    }

    /** How many times a crashed node's log was opened again from the database. */
    int reopened() {
        return reopened;
    }

    /** Differences between a crashed log and its reopening, each naming the node and the value. */
    List<String> mismatches() {
        return List.copyOf(mismatches);
    }

    /** Another opening of {@code nodeId}'s storage, besides the one its node runs on. */
    JpaRaftLog open(String nodeId) {
        return JpaRaftLog.builder(db.transactions).clusterId(clusterId).nodeId(nodeId)
                .snapshotChunkBytes(snapshotChunkBytes).open();
    }

    /** {@inheritDoc} Rows an earlier test run left under this cluster and node id are removed first. */
    @Override
    public RaftLog create(String nodeId, long storageId) {
        deleteRows(nodeId);
        return open(nodeId);
    }

    @Override
    public RaftLog reopen(String nodeId, RaftLog crashed) {
        JpaRaftLog log = open(nodeId);
        reopened++;
        compare(nodeId, crashed, log);
        return log;
    }

    @Override
    public RaftLog wipe(String nodeId, RaftLog lost, long storageId) {
        deleteRows(nodeId);
        return open(nodeId);
    }

    /**
     * Every call of the log is one transaction that commits before it returns, and the simulated crash stops
     * the node between calls: the database must give back exactly what the crashed log had acknowledged.
     */
    private void compare(String nodeId, RaftLog crashed, RaftLog reopened) {
        check(nodeId, "storage id", crashed.storageId(), reopened.storageId());
        check(nodeId, "hard state", crashed.hardState(), reopened.hardState());
        check(nodeId, "first index", crashed.firstIndex(), reopened.firstIndex());
        check(nodeId, "last index", crashed.lastIndex(), reopened.lastIndex());
        check(nodeId, "term of the last entry", crashed.termAt(crashed.lastIndex()),
                reopened.termAt(reopened.lastIndex()));
        check(nodeId, "term before the first entry", crashed.termAt(crashed.firstIndex() - 1),
                reopened.termAt(reopened.firstIndex() - 1));
        SnapshotMeta a = crashed.snapshot();
        SnapshotMeta b = reopened.snapshot();
        if (a == null || b == null ? a != b : !a.sameAs(b)) {
            mismatches.add(nodeId + ": snapshot " + a + " acknowledged, " + b + " reopened");
        }
        check(nodeId, "broken", crashed.brokenReason(), reopened.brokenReason());
    }

    private void check(String nodeId, String what, Object acknowledged, Object stored) {
        if (!Objects.equals(acknowledged, stored)) {
            mismatches.add(nodeId + ": " + what + " " + acknowledged + " acknowledged, " + stored + " reopened");
        }
    }

    private void deleteRows(String nodeId) {
        db.transactions.inTransaction(em -> {
            for (String entity : List.of("RaftEntry", "RaftSnapshotChunk", "RaftSnapshot", "RaftHardState",
                    "RaftApplied", "RaftOutcome", "RaftNode")) {
                em.createQuery("delete from " + entity + " r where r.clusterId = :c and r.nodeId = :n")
                        .setParameter("c", clusterId).setParameter("n", nodeId).executeUpdate();
            }
            return null;
        });
    }

    @Override
    public String toString() {
        return "JPA (" + db.kind + ", cluster " + clusterId + ")";
    }
}
