package org.raftengine.cdi.quarkus;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import org.raftengine.cdi.Committed;
import org.raftengine.cdi.CommittedCommand;
import org.raftengine.core.RejectedCommandException;

/**
 * The application's observers: they keep the ledger through Quarkus's entity manager, which joins the JTA
 * transaction raft-cdi begins for each committed command (the one that also records it as applied).
 */
@ApplicationScoped
public class Ledger {
    @Inject
    EntityManager em;

    /** Credits the account; the client gets the new balance. */
    void deposit(@Observes @Committed Deposit d, @Committed CommittedCommand command) {
        Account a = em.find(Account.class, d.account());
        long balance;
        if (a == null) {
            em.persist(new Account(d.account(), d.amount()));
            balance = d.amount();
        } else {
            a.balance += d.amount();
            balance = a.balance;
        }
        command.result(Long.toString(balance).getBytes(StandardCharsets.UTF_8));
    }

    /** Moves the money, or refuses: the refusal rolls back what was already written and is the command's outcome. */
    void transfer(@Observes @Committed Transfer t) {
        Account from = em.find(Account.class, t.from());
        Account to = em.find(Account.class, t.to());
        if (from == null || to == null) {
            throw new RejectedCommandException("transfer from " + t.from() + " to " + t.to() + " refused: no such"
                    + " account");
        }
        // The debit first, and flushed to the database: a refusal after it shows the rollback undoes sent work.
        from.balance -= t.amount();
        em.flush();
        if (from.balance < 0) {
            throw new RejectedCommandException("transfer of " + t.amount() + " from " + t.from() + " refused: balance "
                    + (from.balance + t.amount()));
        }
        to.balance += t.amount();
    }
}
