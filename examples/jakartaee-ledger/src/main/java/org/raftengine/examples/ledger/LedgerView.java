package org.raftengine.examples.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** This server's copy of the ledger, read in one transaction: what every server must agree on. */
@ApplicationScoped
public class LedgerView {
    @Inject
    EntityManager em;

    /** A movement as the ledger recorded it. */
    public record MovementRow(String id, String from, String to, long amount, long logIndex, int reapplied) {
    }

    /** The accounts by id, and the movements in log order. */
    public record Contents(Map<String, Long> accounts, List<MovementRow> movements) {
    }

    @Transactional
    public Map<String, Long> balances() {
        Map<String, Long> balances = new TreeMap<>();
        for (Account a : em.createQuery("SELECT a FROM Account a", Account.class).getResultList()) {
            balances.put(a.id, a.balance);
        }
        return balances;
    }

    @Transactional
    public Contents contents() {
        List<MovementRow> movements = em.createQuery("SELECT m FROM Movement m ORDER BY m.logIndex, m.id",
                        Movement.class).getResultList().stream()
                .map(m -> new MovementRow(m.id, m.from, m.to, m.amount, m.logIndex, m.reapplied)).toList();
        return new Contents(balances(), movements);
    }
}
