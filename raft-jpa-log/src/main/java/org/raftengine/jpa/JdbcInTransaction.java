package org.raftengine.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Plain JDBC on the connection of an entity manager, inside its transaction (JPA 3.2
 * {@code EntityManager.callWithConnection}), for the log's own hot writes: the rows of every appended entry and
 * the applied index of every applied batch. Those go through JDBC rather than entities because an entity per row
 * costs the persistence context (an entry, a snapshot for dirty checking, an insert action) on every entry, and
 * because JDBC batching then no longer depends on the persistence unit's {@code hibernate.jdbc.batch_size} (off by
 * default). The tables are the library's own ({@link RaftSchema}), so their names and columns are known here.
 */
final class JdbcInTransaction {
    /** What runs on the connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private JdbcInTransaction() {
    }

    /**
     * Runs {@code work} on {@code em}'s connection. An {@link SQLException} comes out as a
     * {@link PersistenceException} with it as the cause (so {@link DatabaseFailures} reads its SQL state, as it
     * does for the provider's own exceptions), a runtime exception of {@code work} as itself.
     */
    static <T> T call(EntityManager em, Work<T> work) {
        try {
            return em.callWithConnection((Connection c) -> work.run(c));
        } catch (PersistenceException e) {
            throw e;
        } catch (RuntimeException e) {
            // Hibernate wraps whatever the function throws (SQLException or not) in a bare RuntimeException.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql) {
                    throw new PersistenceException(sql.getMessage(), sql);
                }
                if (t != e && t instanceof RuntimeException r) {
                    throw r;
                }
                if (t.getCause() == t) {
                    break;
                }
            }
            throw e;
        }
    }
}
