package org.raftengine.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.util.Objects;
import java.util.function.Function;

/**
 * How the raft log runs its own transactions on the application's persistence unit: through the JTA
 * {@link TransactionManager} ({@link #jta}, the main path, for a persistence unit of transaction type JTA in
 * a Jakarta EE server, Quarkus or Weld with Narayana), or through the entity manager's own transaction
 * ({@link #resourceLocal}, plain Java SE). Each {@link #inTransaction} call uses a new entity manager and
 * one transaction, committed when the work returns and rolled back if it throws; the calling thread must
 * not be in a transaction already (the log's calls come from the node's own threads).
 */
public sealed interface JpaTransactions permits JpaTransactions.Jta, JpaTransactions.ResourceLocal {

    /** Transactions through {@code transactionManager}, for a JTA persistence unit. */
    static JpaTransactions jta(EntityManagerFactory entityManagerFactory, TransactionManager transactionManager) {
        return new Jta(entityManagerFactory, transactionManager);
    }

    /** Transactions of the entity manager itself, for a RESOURCE_LOCAL persistence unit. */
    static JpaTransactions resourceLocal(EntityManagerFactory entityManagerFactory) {
        return new ResourceLocal(entityManagerFactory);
    }

    /** The persistence unit. */
    EntityManagerFactory entityManagerFactory();

    /**
     * Runs {@code work} in a new transaction and commits it.
     *
     * @return what {@code work} returned
     * @throws JpaLogException if the transaction could not begin or commit (it was rolled back); a
     *                         runtime exception {@code work} throws passes through, after the rollback
     */
    <T> T inTransaction(Function<EntityManager, T> work);

    /** JTA: begin, join a new entity manager, commit. */
    record Jta(EntityManagerFactory entityManagerFactory, TransactionManager transactionManager)
            implements JpaTransactions {
        public Jta {
            Objects.requireNonNull(entityManagerFactory, "entityManagerFactory");
            Objects.requireNonNull(transactionManager, "transactionManager");
        }

        @Override
        public <T> T inTransaction(Function<EntityManager, T> work) {
            try {
                transactionManager.begin();
            } catch (jakarta.transaction.NotSupportedException e) {
                throw new IllegalStateException("this thread is in a JTA transaction already: the raft log runs"
                        + " transactions of its own, on threads of its own", e);
            } catch (SystemException | RuntimeException e) {
                throw new JpaLogException("cannot begin a JTA transaction: " + e, e);
            }
            boolean committed = false;
            EntityManager em = null;
            try {
                em = entityManagerFactory.createEntityManager();
                em.joinTransaction();
                T result = work.apply(em);
                em.flush();
                // Everything is written: detach it, or the provider's flush before completion dirty-checks every
                // entity of the work a second time (for an append, every entry; see bin/bench --jpa).
                em.clear();
                transactionManager.commit();
                committed = true;
                return result;
            } catch (jakarta.transaction.RollbackException | jakarta.transaction.HeuristicMixedException
                     | jakarta.transaction.HeuristicRollbackException | SystemException e) {
                throw new JpaLogException("the JTA transaction did not commit: " + e, e);
            } finally {
                if (!committed) {
                    rollbackQuietly();
                }
                if (em != null) {
                    em.close();
                }
            }
        }

        private void rollbackQuietly() {
            try {
                if (transactionManager.getStatus() != Status.STATUS_NO_TRANSACTION) {
                    transactionManager.rollback();
                }
            } catch (SystemException | RuntimeException ignored) {
                // The failure that led here is the one to report; the manager ends the transaction anyway.
            }
        }
    }

    /** Resource-local: the entity manager's own transaction. */
    record ResourceLocal(EntityManagerFactory entityManagerFactory) implements JpaTransactions {
        public ResourceLocal {
            Objects.requireNonNull(entityManagerFactory, "entityManagerFactory");
        }

        @Override
        public <T> T inTransaction(Function<EntityManager, T> work) {
            EntityManager em = entityManagerFactory.createEntityManager();
            EntityTransaction tx = null;
            try {
                tx = em.getTransaction();
                tx.begin();
                T result = work.apply(em);
                tx.commit();
                return result;
            } catch (jakarta.persistence.RollbackException e) {
                throw new JpaLogException("the transaction did not commit: " + e, e);
            } finally {
                try {
                    if (tx != null && tx.isActive()) {
                        tx.rollback();
                    }
                } catch (RuntimeException ignored) {
                    // As above: report the first failure.
                } finally {
                    em.close();
                }
            }
        }
    }
}
