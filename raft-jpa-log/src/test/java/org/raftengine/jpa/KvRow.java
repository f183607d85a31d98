package org.raftengine.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An application's own entity in the tests: a key and its value, in a table of the node's own database. */
@Entity(name = "TestKv")
@Table(name = "test_kv")
class KvRow {
    static final String DDL = "CREATE TABLE IF NOT EXISTS test_kv (k VARCHAR(100) PRIMARY KEY, v VARCHAR(1000) NOT NULL)";

    @Id
    @Column(name = "k", length = 100)
    String key;
    @Column(name = "v", length = 1000, nullable = false)
    String value;

    protected KvRow() {
    }

    KvRow(String key, String value) {
        this.key = key;
        this.value = value;
    }
}
