package org.raftengine.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityTransaction;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;

/**
 * One transaction with a new entity manager joined to it, begun, then committed or rolled back: what
 * {@link JpaTransactions#inTransaction} runs its work in, and what a state machine that applies a batch of
 * entries in one atomic step ({@link org.raftengine.core.spi.StateMachine#appliesInBatches()}) keeps open
 * across the batch's calls, committing once. Used by one thread, the one that began it
 * (a JTA transaction is bound to its thread).
 */
public final class TransactionStep {
    private final EntityManager em;
    private final TransactionManager jta;
    private final EntityTransaction local;
    private boolean ended;

    private TransactionStep(EntityManager em, TransactionManager jta, EntityTransaction local) {
        this.em = em;
        this.jta = jta;
        this.local = local;
    }

    /**
     * Begins a transaction of {@code transactions} on the calling thread, with a new entity manager joined to it.
     *
     * @throws JpaLogException if it cannot begin
     */
    public static TransactionStep begin(JpaTransactions transactions) {
        if (transactions instanceof JpaTransactions.Jta j) {
            TransactionManager tm = j.transactionManager();
            try {
                tm.begin();
            } catch (jakarta.transaction.NotSupportedException e) {
                throw new IllegalStateException("this thread is in a JTA transaction already: the raft log runs"
                        + " transactions of its own, on threads of its own", e);
            } catch (SystemException | RuntimeException e) {
                throw new JpaLogException("cannot begin a JTA transaction: " + e, e);
            }
            try {
                EntityManager em = j.entityManagerFactory().createEntityManager();
                em.joinTransaction();
                return new TransactionStep(em, tm, null);
            } catch (RuntimeException e) {
                rollbackQuietly(tm);
                throw new JpaLogException("cannot join an entity manager to the JTA transaction: " + e, e);
            }
        }
        EntityManager em = transactions.entityManagerFactory().createEntityManager();
        try {
            EntityTransaction tx = em.getTransaction();
            tx.begin();
            return new TransactionStep(em, null, tx);
        } catch (RuntimeException e) {
            em.close();
            throw new JpaLogException("cannot begin a transaction: " + e, e);
        }
    }

    /** The entity manager of the step. */
    public EntityManager entityManager() {
        return em;
    }

    /**
     * Flushes and commits. Whether it returns or throws, the step is over: nothing is left to roll back.
     *
     * @throws JpaLogException if the commit failed (then nothing of the step is durable)
     */
    public void commit() {
        if (ended) {
            throw new IllegalStateException("the step is over");
        }
        ended = true;
        boolean committed = false;
        try {
            em.flush();
            // Everything is written: detach it, so the flush before completion does not check it all again.
            em.clear();
            if (jta != null) {
                jta.commit();
            } else {
                local.commit();
            }
            committed = true;
        } catch (jakarta.transaction.RollbackException | jakarta.transaction.HeuristicMixedException
                 | jakarta.transaction.HeuristicRollbackException | SystemException
                 | jakarta.persistence.RollbackException e) {
            throw new JpaLogException("the transaction did not commit: " + e, e);
        } finally {
            if (!committed) {
                undo();
            }
            em.close();
        }
    }

    /** Rolls the step back; does nothing once the step is over (committed, failed to commit, or rolled back). */
    public void rollback() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            undo();
        } finally {
            em.close();
        }
    }

    private void undo() {
        if (jta != null) {
            rollbackQuietly(jta);
        } else {
            try {
                if (local.isActive()) {
                    local.rollback();
                }
            } catch (RuntimeException ignored) {
                // The failure that led here is the one to report.
            }
        }
    }

    private static void rollbackQuietly(TransactionManager tm) {
        try {
            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                tm.rollback();
            }
        } catch (SystemException | RuntimeException ignored) {
            // The failure that led here is the one to report; the manager ends the transaction anyway.
        }
    }

    /** True once committed, failed or rolled back. */
    public boolean isOver() {
        return ended;
    }
}
