package org.raftengine.jpa;

import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Objects;
import org.raftengine.core.spi.AppliedOutcome;

/**
 * The apply side of a node in the application's own database: {@code raft_applied} (the last index the
 * application's state includes) and {@code raft_outcome} (what each applied command gave: its output, or the
 * reason it was rejected). The application records them with {@link #record} inside the same transaction as
 * its own changes, so the changes, the applied index and the outcome commit or roll back together: after a
 * crash, the node resumes after the recorded index and never applies a command twice, and a client's re-sent
 * command gets its original answer (the engine rebuilds its client-session table from the log and these
 * outcomes). {@code raft-cdi} does this for {@code @Committed} observers; {@link JpaStateMachine} for plain Java SE.
 *
 * <p>Most commands answer nothing: an outcome that is an empty output gets no row, which saves an insert per
 * command. {@link #outcomeAt} tells it from the rows: an index applied (at or below the applied index) with no row
 * of its own answers an empty output, unless a snapshot's restore or {@link #forgetCoveredOutcomes} left a marker
 * at or above it (a row with neither output nor rejection: "outcomes up to here are not kept").
 *
 * <p>Outcomes are needed only for the entries after the node's latest snapshot (the snapshot carries the
 * session table up to its index): {@link #forgetCoveredOutcomes} drops the others.
 */
public final class JpaAppliedState {
    private static final String UPDATE_APPLIED = "UPDATE raft_applied SET applied_index = ? WHERE cluster_id = ?"
            + " AND node_id = ? AND applied_index < ?";
    private static final String SET_APPLIED = "UPDATE raft_applied SET applied_index = ? WHERE cluster_id = ?"
            + " AND node_id = ?";
    private static final String SELECT_APPLIED = "SELECT applied_index FROM raft_applied WHERE cluster_id = ?"
            + " AND node_id = ?";
    private static final String INSERT_APPLIED = "INSERT INTO raft_applied (cluster_id, node_id, applied_index)"
            + " VALUES (?, ?, ?)";
    private static final String INSERT_OUTCOME = "INSERT INTO raft_outcome (cluster_id, node_id, idx, output,"
            + " rejection) VALUES (?, ?, ?, ?, ?)";

    private final JpaTransactions tx;
    private final String clusterId;
    private final String nodeId;

    /** The apply side of node {@code nodeId} of cluster {@code clusterId}, in {@code transactions}' persistence unit. */
    public JpaAppliedState(JpaTransactions transactions, String clusterId, String nodeId) {
        this.tx = Objects.requireNonNull(transactions, "transactions");
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    /** The apply side of the node whose log is {@code log}, in the same persistence unit. */
    public static JpaAppliedState of(JpaRaftLog log) {
        return new JpaAppliedState(log.transactions(), log.clusterId(), log.nodeId());
    }

    /**
     * Records entry {@code index} as applied, with the outcome of its command ({@code null} for an entry that
     * carries none), through {@code em}, in the caller's transaction (written at once, as one or two statements on
     * the transaction's connection).
     *
     * @throws IllegalStateException if the recorded index is already {@code index} or beyond: applying an entry
     *                               twice is a bug of the caller, and the transaction must not commit
     */
    public void record(EntityManager em, long index, AppliedOutcome outcome) {
        recordRange(em, index, index, outcome == null ? List.of() : List.of(new Kept(index, outcome)));
    }

    /** An outcome and the index of its command, for {@link #recordRange}. */
    record Kept(long index, AppliedOutcome outcome) {
    }

    /** True if {@code outcome} needs a row of its own: anything but an empty output (see the class comment). */
    static boolean needsRow(AppliedOutcome outcome) {
        return outcome != null && (outcome.isRejected() || outcome.output().length > 0);
    }

    /**
     * Records entries {@code first} to {@code last} as applied, with the outcomes of those among them whose outcome
     * {@link #needsRow needs a row} (others in {@code outcomes} are skipped), in the caller's transaction: one update
     * of the applied index for the whole range, and the outcome rows as one JDBC batch. So a batch of entries applied
     * in one transaction writes the applied index once.
     *
     * @throws IllegalStateException if the recorded index is already {@code first} or beyond
     */
    void recordRange(EntityManager em, long first, long last, List<Kept> outcomes) {
        JdbcInTransaction.call(em, c -> {
            int updated;
            try (PreparedStatement update = c.prepareStatement(UPDATE_APPLIED)) {
                update.setLong(1, last);
                update.setString(2, clusterId);
                update.setString(3, nodeId);
                update.setLong(4, first);
                updated = update.executeUpdate();
            }
            if (updated == 0) {
                Long at = appliedIndex(c);
                if (at != null) {
                    throw new IllegalStateException("node " + nodeId + " of cluster " + clusterId + " records entry "
                            + first + " as applied, but raft_applied is at " + at + " already");
                }
                insertApplied(c, last);
            }
            insertOutcomes(c, outcomes);
            return null;
        });
    }

    private Long appliedIndex(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(SELECT_APPLIED)) {
            select.setString(1, clusterId);
            select.setString(2, nodeId);
            try (ResultSet r = select.executeQuery()) {
                return r.next() ? r.getLong(1) : null;
            }
        }
    }

    private void insertApplied(Connection c, long index) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT_APPLIED)) {
            insert.setString(1, clusterId);
            insert.setString(2, nodeId);
            insert.setLong(3, index);
            insert.executeUpdate();
        }
    }

    private void insertOutcomes(Connection c, List<Kept> outcomes) throws SQLException {
        PreparedStatement insert = null;
        try {
            for (Kept k : outcomes) {
                if (!needsRow(k.outcome())) {
                    continue;
                }
                if (insert == null) {
                    insert = c.prepareStatement(INSERT_OUTCOME);
                }
                insert.setString(1, clusterId);
                insert.setString(2, nodeId);
                insert.setLong(3, k.index());
                insert.setBytes(4, k.outcome().output());
                insert.setString(5, k.outcome().rejection());
                insert.addBatch();
            }
            if (insert != null) {
                insert.executeBatch();
            }
        } finally {
            if (insert != null) {
                insert.close();
            }
        }
    }

    /** Marks the outcomes at and below {@code index} as not kept (see the class comment), in {@code c}'s transaction. */
    private void markNotKeptUpTo(Connection c, long index) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT_OUTCOME)) {
            insert.setString(1, clusterId);
            insert.setString(2, nodeId);
            insert.setLong(3, index);
            insert.setNull(4, Types.VARBINARY);
            insert.setNull(5, Types.VARCHAR);
            insert.executeUpdate();
        }
    }

    /**
     * After a snapshot replaced the application's state (in the caller's transaction): the applied index is
     * the snapshot's, and the outcomes it covers go.
     */
    public void restoredTo(EntityManager em, long index) {
        em.createQuery("delete from RaftOutcome o where o.clusterId = :c and o.nodeId = :n")
                .setParameter("c", clusterId).setParameter("n", nodeId).executeUpdate();
        JdbcInTransaction.call(em, c -> {
            int updated;
            try (PreparedStatement update = c.prepareStatement(SET_APPLIED)) {
                update.setLong(1, index);
                update.setString(2, clusterId);
                update.setString(3, nodeId);
                updated = update.executeUpdate();
            }
            if (updated == 0) {
                insertApplied(c, index);
            }
            markNotKeptUpTo(c, index);
            return null;
        });
    }

    /**
     * Drops the outcomes that the node's latest committed snapshot covers (the engine never asks for them),
     * in the caller's transaction.
     *
     * @return how many were dropped
     */
    public int forgetCoveredOutcomes(EntityManager em) {
        List<Long> covered = em.createQuery("select max(s.index) from RaftSnapshot s where s.clusterId = :c"
                        + " and s.nodeId = :n and s.committed = true", Long.class)
                .setParameter("c", clusterId).setParameter("n", nodeId).getResultList();
        if (covered.isEmpty() || covered.get(0) == null) {
            return 0;
        }
        long upTo = covered.get(0);
        int dropped = em.createQuery("delete from RaftOutcome o where o.clusterId = :c and o.nodeId = :n"
                        + " and o.index <= :i")
                .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("i", upTo)
                .executeUpdate();
        JdbcInTransaction.call(em, c -> {
            markNotKeptUpTo(c, upTo);
            return null;
        });
        return dropped;
    }

    /** The recorded applied index (0 if none), read in a transaction of its own. */
    public long lastApplied() {
        return call("reading the applied index", em -> {
            AppliedRow row = em.find(AppliedRow.class, new NodeKey(clusterId, nodeId));
            return row == null ? 0L : row.appliedIndex;
        });
    }

    /**
     * The outcome of the command applied at {@code index}, or {@code null} if it is not known here (not applied yet,
     * or at or below a restored or compacted snapshot); in a transaction of its own. An index applied without a row
     * of its own answers an empty output (see the class comment): ask only about commands, as the engine does.
     */
    public AppliedOutcome outcomeAt(long index) {
        return call("reading the outcome of entry " + index, em -> {
            OutcomeRow row = em.find(OutcomeRow.class, new IndexKey(clusterId, nodeId, index));
            if (row != null) {
                if (row.rejection != null) {
                    return AppliedOutcome.rejected(row.rejection);
                }
                return row.output == null ? null : AppliedOutcome.ok(row.output);
            }
            AppliedRow applied = em.find(AppliedRow.class, new NodeKey(clusterId, nodeId));
            if (applied == null || index > applied.appliedIndex) {
                return null;
            }
            Long markers = em.createQuery("select count(o) from RaftOutcome o where o.clusterId = :c"
                            + " and o.nodeId = :n and o.index >= :i and o.output is null and o.rejection is null",
                            Long.class)
                    .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("i", index)
                    .getSingleResult();
            return markers > 0 ? null : AppliedOutcome.ok(new byte[0]);
        });
    }

    private <T> T call(String what, java.util.function.Function<EntityManager, T> work) {
        try {
            return tx.inTransaction(work);
        } catch (jakarta.persistence.PersistenceException | JpaLogException e) {
            throw new JpaLogException("apply side of node " + nodeId + " in cluster " + clusterId + ": " + what
                    + " failed: " + e.getMessage(), e);
        }
    }
}
