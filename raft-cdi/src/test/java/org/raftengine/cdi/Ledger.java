package org.raftengine.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import org.raftengine.core.RejectedCommandException;

/** The test application's observers: they keep the ledger in the transaction that records each command. */
@ApplicationScoped
public class Ledger {
    @Inject
    EntityManager em;

    void deposit(@Observes @Committed Deposit d, @Committed CommittedCommand command) {
        Account a = em.find(Account.class, d.account());
        if (a == null) {
            em.persist(new Account(d.account(), d.amount()));
        } else {
            a.balance += d.amount();
        }
        long balance = a == null ? d.amount() : a.balance;
        command.result(Long.toString(balance).getBytes(StandardCharsets.UTF_8));
    }

    void transfer(@Observes @Committed Transfer t) {
        Account from = em.find(Account.class, t.from());
        Account to = em.find(Account.class, t.to());
        if (from == null || to == null || from.balance < t.amount()) {
            throw new RejectedCommandException("transfer of " + t.amount() + " from " + t.from() + " refused: "
                    + (from == null ? "no such account" : to == null ? "no account " + t.to() : "balance "
                    + from.balance));
        }
        // The debit first and flushed, so a refusal after it shows that the rollback undoes work already sent.
        from.balance -= t.amount();
        em.flush();
        to.balance += t.amount();
    }

    void trackedTransfer(@Observes @Committed TrackedTransfer t, @Committed CommittedCommand command) {
        Account from = em.find(Account.class, t.from());
        Account to = em.find(Account.class, t.to());
        if (from == null || to == null || from.balance < t.amount()) {
            throw new RejectedCommandException("transfer " + t.id() + " refused");
        }
        from.balance -= t.amount();
        to.balance += t.amount();
        AppliedTransfer applied = em.find(AppliedTransfer.class, t.id());
        if (applied == null) {
            em.persist(new AppliedTransfer(t.id()));
        } else {
            applied.times++;
        }
        // The balances after the move: an answer that differs if the transfer were applied again.
        command.result((from.id + "=" + from.balance + " " + to.id + "=" + to.balance)
                .getBytes(StandardCharsets.UTF_8));
    }
}
