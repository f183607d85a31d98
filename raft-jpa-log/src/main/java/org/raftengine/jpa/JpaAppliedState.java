package org.raftengine.jpa;

import jakarta.persistence.EntityManager;
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
 * <p>Outcomes are needed only for the entries after the node's latest snapshot (the snapshot carries the
 * session table up to its index): {@link #forgetCoveredOutcomes} drops the others.
 */
public final class JpaAppliedState {
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
     * carries none), through {@code em}, in the caller's transaction.
     *
     * @throws IllegalStateException if the recorded index is already {@code index} or beyond: applying an entry
     *                               twice is a bug of the caller, and the transaction must not commit
     */
    public void record(EntityManager em, long index, AppliedOutcome outcome) {
        // Found once per entity manager and then changed in memory: a batch applied in one transaction writes
        // the applied index once, at the flush, instead of once per entry.
        AppliedRow row = em.find(AppliedRow.class, new NodeKey(clusterId, nodeId));
        if (row == null) {
            em.persist(new AppliedRow(clusterId, nodeId, index));
        } else if (row.appliedIndex >= index) {
            throw new IllegalStateException("node " + nodeId + " of cluster " + clusterId + " records entry "
                    + index + " as applied, but raft_applied is at " + row.appliedIndex + " already");
        } else {
            row.appliedIndex = index;
        }
        if (outcome != null) {
            em.persist(new OutcomeRow(clusterId, nodeId, index, outcome.output(), outcome.rejection()));
        }
    }

    /**
     * After a snapshot replaced the application's state (in the caller's transaction): the applied index is
     * the snapshot's, and the outcomes it covers go.
     */
    public void restoredTo(EntityManager em, long index) {
        AppliedRow row = em.find(AppliedRow.class, new NodeKey(clusterId, nodeId));
        if (row == null) {
            em.persist(new AppliedRow(clusterId, nodeId, index));
        } else {
            row.appliedIndex = index;
        }
        em.createQuery("delete from RaftOutcome o where o.clusterId = :c and o.nodeId = :n")
                .setParameter("c", clusterId).setParameter("n", nodeId).executeUpdate();
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
        return em.createQuery("delete from RaftOutcome o where o.clusterId = :c and o.nodeId = :n and o.index <= :i")
                .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("i", covered.get(0))
                .executeUpdate();
    }

    /** The recorded applied index (0 if none), read in a transaction of its own. */
    public long lastApplied() {
        return call("reading the applied index", em -> {
            AppliedRow row = em.find(AppliedRow.class, new NodeKey(clusterId, nodeId));
            return row == null ? 0L : row.appliedIndex;
        });
    }

    /** The outcome recorded for the command applied at {@code index}, or {@code null}; in a transaction of its own. */
    public AppliedOutcome outcomeAt(long index) {
        return call("reading the outcome of entry " + index, em -> {
            OutcomeRow row = em.find(OutcomeRow.class, new IndexKey(clusterId, nodeId, index));
            if (row == null) {
                return null;
            }
            return row.rejection != null ? AppliedOutcome.rejected(row.rejection)
                    : AppliedOutcome.ok(row.output == null ? new byte[0] : row.output);
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
