package org.raftengine.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
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
    default <T> T inTransaction(Function<EntityManager, T> work) {
        TransactionStep step = TransactionStep.begin(this);
        try {
            T result = work.apply(step.entityManager());
            step.commit();
            return result;
        } finally {
            step.rollback(); // nothing left to undo once committed, or after a failed commit
        }
    }

    /** JTA: each transaction begun through the transaction manager, a new entity manager joined to it. */
    record Jta(EntityManagerFactory entityManagerFactory, TransactionManager transactionManager)
            implements JpaTransactions {
        public Jta {
            Objects.requireNonNull(entityManagerFactory, "entityManagerFactory");
            Objects.requireNonNull(transactionManager, "transactionManager");
        }
    }

    /** Resource-local: the entity manager's own transaction. */
    record ResourceLocal(EntityManagerFactory entityManagerFactory) implements JpaTransactions {
        public ResourceLocal {
            Objects.requireNonNull(entityManagerFactory, "entityManagerFactory");
        }
    }
}
