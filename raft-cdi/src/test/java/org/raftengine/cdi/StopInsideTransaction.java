package org.raftengine.cdi;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.EntityManager;
import java.util.concurrent.CountDownLatch;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A test-only observer ({@link LedgerNodeMain} adds it when {@value LedgerNodeMain#STOP_INSIDE} is set): when the
 * tracked transfer of that id is applied, it stops the apply thread inside the transaction, after the ledger's
 * changes reached the database and before the commit, and says so ({@code IN-TX <index> <times>}), so the parent
 * test can SIGKILL the JVM at exactly that point.
 */
@ApplicationScoped
public class StopInsideTransaction {
    @Inject
    EntityManager em;
    @Inject
    @ConfigProperty(name = LedgerNodeMain.STOP_INSIDE)
    String transferId;

    // After the ledger's own observer (which has the default priority), so its update is there to flush.
    void stop(@Observes @Priority(Interceptor.Priority.APPLICATION + 900) @Committed TrackedTransfer t,
              @Committed CommittedCommand command) throws InterruptedException {
        if (!t.id().equals(transferId)) {
            return;
        }
        em.flush();
        // Read back through the transaction's connection: the count the database holds, uncommitted, rather than
        // the entity in memory, so the parent knows the update really was written before the kill.
        Object times = em.createNativeQuery("SELECT times FROM test_applied_transfer WHERE id = ?1")
                .setParameter(1, t.id()).getSingleResult();
        LedgerNodeMain.event("IN-TX " + command.index() + " " + times);
        // Never released: the parent kills the JVM here (and the JVM halts if the parent goes away).
        new CountDownLatch(1).await();
    }
}
