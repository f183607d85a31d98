package org.raftengine.cdi;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The test application's own entity: an account of the ledger the observers keep. */
@Entity(name = "TestAccount")
@Table(name = "test_account")
public class Account {
    static final String DDL = "CREATE TABLE IF NOT EXISTS test_account (id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL)";

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
