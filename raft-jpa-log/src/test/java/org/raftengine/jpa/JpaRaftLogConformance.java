package org.raftengine.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.testkit.tck.RaftLogConformance;

/**
 * The {@link RaftLogConformance} suite on {@link JpaRaftLog} through JTA (Narayana, Agroal, Hibernate), on each
 * database the DDL scripts are for: H2 in a file, and this machine's PostgreSQL and MariaDB (the subclasses).
 * Every log is a node id of its own in the one database, as the nodes of clusters sharing a database would be;
 * the database is opened once per class, and the rows of each log are deleted after its test.
 */
abstract class JpaRaftLogConformance extends RaftLogConformance {
    private static TestDatabase db;

    static void openDatabase(TestDatabase.Kind kind) {
        db = TestDatabase.open(kind, "conformance", true);
    }

    /** As {@link #openDatabase(TestDatabase.Kind)}, with resource-local transactions instead of JTA. */
    static void openResourceLocalDatabase(TestDatabase.Kind kind) {
        db = TestDatabase.open(kind, "conformance-local", false);
    }

    @AfterAll
    static void closeDatabase() {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    @Override
    protected RaftLog newLog() {
        return db.newLog();
    }

    @Override
    protected RaftLog reopen(RaftLog log) {
        return db.reopen((JpaRaftLog) log);
    }

    /** Flips a bit of the entry's stored data, behind the log's back, as bit rot or a torn write would. */
    @Override
    protected void corruptStoredEntry(RaftLog log, long index) throws Exception {
        JpaRaftLog jpa = (JpaRaftLog) log;
        try (Connection c = db.connection()) {
            byte[] data;
            try (PreparedStatement select = c.prepareStatement("SELECT data FROM raft_entry WHERE cluster_id = ?"
                    + " AND node_id = ? AND idx = ?")) {
                select.setString(1, jpa.clusterId());
                select.setString(2, jpa.nodeId());
                select.setLong(3, index);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("no stored entry " + index + " to corrupt");
                    }
                    data = rs.getBytes(1);
                }
            }
            // A flipped bit in the data, or a byte where there was none: the checksum no longer matches.
            if (data.length == 0) {
                data = new byte[] {0x5A};
            } else {
                data[0] ^= 0x01;
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE raft_entry SET data = ? WHERE cluster_id = ?"
                    + " AND node_id = ? AND idx = ?")) {
                update.setBytes(1, data);
                update.setString(2, jpa.clusterId());
                update.setString(3, jpa.nodeId());
                update.setLong(4, index);
                update.executeUpdate();
            }
        }
    }

    /** Deletes the node's rows, so the shared server databases do not grow with every run. */
    @Override
    protected void release(RaftLog log) throws Exception {
        JpaRaftLog jpa = (JpaRaftLog) log;
        try (Connection c = db.connection()) {
            for (String table : RaftSchema.TABLES.keySet()) {
                if (table.equals("raft_schema_version")) {
                    continue;
                }
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table
                        + " WHERE cluster_id = ? AND node_id = ?")) {
                    delete.setString(1, jpa.clusterId());
                    delete.setString(2, jpa.nodeId());
                    delete.executeUpdate();
                }
            }
        }
    }
}
