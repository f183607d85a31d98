package org.raftengine.cdi.quarkus;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The application's own entity: an account of the ledger its observers keep. */
@Entity
@Table(name = "ledger_account")
public class Account {
    /** The application's table, created with the raft_ tables at start ({@link LedgerSchema}). */
    static final String DDL = "CREATE TABLE IF NOT EXISTS ledger_account (id VARCHAR(64) PRIMARY KEY,"
            + " balance BIGINT NOT NULL)";

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
