package org.raftengine.examples.ledger;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A deposit or transfer the ledger applied, under the id its client gave it: a client that did not hear the answer
 * sends the same id again (through any server), and the ledger answers what it answered the first time instead of
 * moving the money twice. {@code logIndex} is the log entry that applied it; {@code reapplied} counts deliveries of
 * that very entry again, which Raft with the JPA log rules out (the entry's changes and its index as applied commit
 * together): the integration test checks it stays 0.
 */
@Entity
@Table(name = "ledger_movement")
public class Movement {
    @Id
    @Column(name = "id", length = 64)
    public String id;
    /** Null for a deposit. */
    @Column(name = "from_account", length = 64)
    public String from;
    @Column(name = "to_account", length = 64, nullable = false)
    public String to;
    @Column(name = "amount", nullable = false)
    public long amount;
    @Column(name = "log_index", nullable = false)
    public long logIndex;
    @Column(name = "reapplied", nullable = false)
    public int reapplied;

    protected Movement() {
    }

    public Movement(String id, String from, String to, long amount, long logIndex) {
        this.id = id;
        this.from = from;
        this.to = to;
        this.amount = amount;
        this.logIndex = logIndex;
    }

    /** What the client is told, the first time and for every repeat of the id. */
    String answer() {
        return id + " applied at " + logIndex;
    }
}
