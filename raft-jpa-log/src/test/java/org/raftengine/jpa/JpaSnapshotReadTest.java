package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.spi.CorruptSnapshotException;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;

/**
 * Reading a snapshot that a newer one replaced in the database before this log instance saw the replacement (the
 * window between another thread's commit and its update of the log's view): the read answers null, "no longer
 * there", as for any replaced snapshot, not a {@link CorruptSnapshotException}; a snapshot whose row is there but
 * whose data is missing is still reported corrupt. Two instances of one node's log on one H2 database make the
 * window last.
 */
class JpaSnapshotReadTest {
    private static final String URL = "jdbc:h2:mem:snapshot-read;DB_CLOSE_DELAY=-1";
    private static final ClusterConfiguration CONF = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1");

    private JpaTestUnit unit;

    @BeforeEach
    void open() throws SQLException {
        JpaTestUnit.installSchema(URL, "sa");
        unit = JpaTestUnit.open(URL, "sa", UnaryOperator.identity());
    }

    @AfterEach
    void close() throws SQLException {
        unit.close();
        try (Connection c = DriverManager.getConnection(URL, "sa", ""); Statement s = c.createStatement()) {
            s.execute("DROP ALL OBJECTS");
        }
    }

    /** Node n1's log; H2 in memory is fine here, where nothing outlives the test. */
    private JpaRaftLog log() {
        return JpaRaftLog.builder(unit.transactions).clusterId(JpaTestUnit.CLUSTER).nodeId("n1")
                .acceptNonDurableDatabase().open();
    }

    private static SnapshotMeta write(JpaRaftLog log, long index, int bytes) {
        SnapshotSink sink = log.beginSnapshot(index, 1, CONF);
        sink.write(new byte[bytes], 0, bytes);
        return sink.commit();
    }

    @Test
    void aSnapshotReplacedUnderTheReaderIsGoneNotCorrupt() {
        JpaRaftLog reader = log();
        SnapshotMeta first = write(reader, 10, 1000);
        assertThat(reader.readSnapshot(first, 0, 100)).hasSize(100);

        JpaRaftLog writer = log(); // the same node's log, as a second thread sees it
        write(writer, 20, 1000); // deletes the first snapshot's rows; the reader has not seen it yet

        assertThat(reader.readSnapshot(first, 0, 100)).as("replaced: no longer there").isNull();
    }

    @Test
    void aSnapshotWhoseDataIsMissingIsCorrupt() throws SQLException {
        JpaRaftLog log = log();
        SnapshotMeta meta = write(log, 10, 1000);
        try (Connection c = DriverManager.getConnection(URL, "sa", ""); Statement s = c.createStatement()) {
            s.execute("DELETE FROM raft_snapshot_chunk");
        }
        assertThatThrownBy(() -> log.readSnapshot(meta, 0, 100)).isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("lacks data at offset 0");
    }
}
