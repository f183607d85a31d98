package org.raftengine.examples.ledger;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An account of the ledger: opened by its first deposit, changed only by the {@link Ledger}'s observers. */
@Entity
@Table(name = "ledger_account")
public class Account {
    @Id
    @Column(name = "id", length = 64)
    public String id;
    @Column(name = "balance", nullable = false)
    public long balance;

    protected Account() {
    }

    public Account(String id, long balance) {
        this.id = id;
        this.balance = balance;
    }
}
