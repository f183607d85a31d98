package org.raftengine.cdi;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * How many times the ledger applied a {@link TrackedTransfer}: a count rather than a flag, so a transfer applied
 * twice shows as 2 instead of hiding behind an idempotent write.
 */
@Entity(name = "TestAppliedTransfer")
@Table(name = "test_applied_transfer")
public class AppliedTransfer {
    static final String DDL = "CREATE TABLE IF NOT EXISTS test_applied_transfer (id VARCHAR(64) PRIMARY KEY,"
            + " times INT NOT NULL)";

    @Id
    @Column(name = "id", length = 64)
    public String id;
    @Column(name = "times", nullable = false)
    public int times;

    protected AppliedTransfer() {
    }

    public AppliedTransfer(String id) {
        this.id = id;
        this.times = 1;
    }
}
