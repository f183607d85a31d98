package org.raftengine.bench.cdi;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The CDI run's application table: one row per counter, the increments committed to it. */
@Entity(name = "BenchCounter")
@Table(name = "bench_counter")
public class BenchCounter {
    /** Made at start, with the raft_ tables. ("value" is a keyword in H2, hence the column's name.) */
    static final String DDL = "CREATE TABLE IF NOT EXISTS bench_counter (id VARCHAR(64) PRIMARY KEY,"
            + " total BIGINT NOT NULL)";

    @Id
    @Column(name = "id", length = 64)
    public String id;
    @Column(name = "total", nullable = false)
    public long value;

    protected BenchCounter() {
    }

    public BenchCounter(String id, long value) {
        this.id = id;
        this.value = value;
    }
}
