package org.raftengine.examples.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import org.raftengine.cdi.Committed;
import org.raftengine.cdi.CommittedCommand;
import org.raftengine.core.RejectedCommandException;

/**
 * The observers that keep the ledger. raft-cdi calls them on every server, in log order, inside the JTA
 * transaction that also records the entry as applied; the entity manager is the server's (container-managed,
 * transaction-scoped), so it joins that transaction. The rules they follow: synchronous, deterministic (only the
 * command and the database decide), nothing outside the transaction, refusal by {@link RejectedCommandException}.
 */
@ApplicationScoped
public class Ledger {
    @Inject
    EntityManager em;

    void deposit(@Observes @Committed Deposit d, @Committed CommittedCommand command) {
        if (repeated(d.id(), command)) {
            return;
        }
        if (d.amount() <= 0 || d.account() == null || d.account().isBlank()) {
            throw new RejectedCommandException("deposit " + d.id() + " refused: amount must be positive and the"
                    + " account named");
        }
        Account a = em.find(Account.class, d.account());
        if (a == null) {
            em.persist(new Account(d.account(), d.amount()));
        } else {
            a.balance += d.amount();
        }
        record(new Movement(d.id(), null, d.account(), d.amount(), command.index()), command);
    }

    void transfer(@Observes @Committed Transfer t, @Committed CommittedCommand command) {
        if (repeated(t.id(), command)) {
            return;
        }
        if (t.amount() <= 0 || t.from() == null || t.from().equals(t.to())) {
            throw new RejectedCommandException("transfer " + t.id() + " refused: amount must be positive, between"
                    + " two accounts");
        }
        Account from = em.find(Account.class, t.from());
        Account to = em.find(Account.class, t.to());
        if (from == null || to == null) {
            throw new RejectedCommandException("transfer " + t.id() + " refused: no account "
                    + (from == null ? t.from() : t.to()));
        }
        if (from.balance < t.amount()) {
            throw new RejectedCommandException("transfer " + t.id() + " refused: " + t.from() + " has " + from.balance);
        }
        from.balance -= t.amount();
        to.balance += t.amount();
        record(new Movement(t.id(), t.from(), t.to(), t.amount(), command.index()), command);
    }

    /**
     * Whether a movement with this id was applied already; if so the client gets the first answer again. The
     * same entry delivered again (never expected) is counted in {@link Movement#reapplied}.
     */
    private boolean repeated(String id, CommittedCommand command) {
        if (id == null || id.isBlank()) {
            throw new RejectedCommandException("a movement needs an id");
        }
        Movement m = em.find(Movement.class, id);
        if (m == null) {
            return false;
        }
        if (m.logIndex == command.index()) {
            m.reapplied++;
        }
        command.result(m.answer().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    private void record(Movement m, CommittedCommand command) {
        em.persist(m);
        command.result(m.answer().getBytes(StandardCharsets.UTF_8));
    }
}
