package org.raftengine.jpa;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PessimisticLockException;
import jakarta.persistence.QueryTimeoutException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Tells failures of the database's state (worth retrying the same work later) from failures of the work
 * itself. The apply side turns the first kind into {@link org.raftengine.core.TransientApplyException}, so the
 * node retries the entry instead of taking the failure for a bug.
 */
public final class DatabaseFailures {
    private DatabaseFailures() {
    }

    /**
     * True if the failure is the database's state rather than the command: unreachable, a deadlock, a lock or
     * query time-out, or a transaction manager failing to begin or commit for want of its resources.
     */
    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LockTimeoutException || t instanceof PessimisticLockException
                    || t instanceof QueryTimeoutException || t instanceof SQLTransientException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception; 40: transaction rollback (deadlock, serialization);
                // 53: insufficient resources; 57: operator intervention (a server shutting down).
                if (state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                        || state.startsWith("57")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return e instanceof JpaLogException && !(e.getCause() instanceof RuntimeException);
    }
}
