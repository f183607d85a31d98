package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.agroal.api.configuration.supplier.AgroalConnectionPoolConfigurationSupplier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.Role;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.transport.LocalNetwork;

/**
 * An application that starts its node while the database is unreachable, or without the raft_ tables it
 * needs, gets a {@link JpaLogException} at once that says what was being done and what went wrong, instead of
 * a hang or a node that runs on nothing.
 */
class JpaRaftLogOpenFailureTest {
    /** Every failure below must come well within this, with the pool and driver bounded as below. */
    private static final Duration BOUND = Duration.ofSeconds(20);
    /** A pool that gives up on a connection after 3 s instead of its default of waiting for ever. */
    static final UnaryOperator<AgroalConnectionPoolConfigurationSupplier> BOUNDED_POOL =
            pool -> pool.acquisitionTimeout(Duration.ofSeconds(3));
    /** The driver's own bounds: connecting, logging in, and any one read from the socket. */
    static final String PG_TIMEOUTS = "connectTimeout=2&loginTimeout=3&socketTimeout=10";

    /** What an application does at start: open the log, make the node on it, start it. */
    private static RaftNode startNode(JpaTestUnit unit, String nodeId) {
        JpaRaftLog log = unit.log(nodeId);
        RaftNode node = new RaftNode(RaftNodeConfig.of("n1", "open-failure")
                .withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1")),
                log, new LocalNetwork().transport("n1"), new CountingStateMachine());
        node.start();
        return node;
    }

    @Test
    void nothingListeningOnThePort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // free once closed: connections to it are refused
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/test?" + PG_TIMEOUTS;
        JpaLogException e = failToStart(url);
        assertThat(e).hasMessageContaining("checking the raft_ tables failed")
                .hasMessageContaining("Connection to 127.0.0.1:" + port + " refused");
    }

    @Test
    void aServerThatAcceptsButNeverAnswers() throws IOException {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // and never a byte back
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/test?" + PG_TIMEOUTS;
            JpaLogException e = failToStart(url);
            // The driver's login time-out or the pool's acquisition time-out, whichever runs out first.
            assertThat(e).hasMessageContaining("checking the raft_ tables failed")
                    .hasMessageFindingMatch("Connection attempt timed out|Acquisition timeout");
        } finally {
            held.forEach(s -> {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing is all
                }
            });
        }
    }

    /** The database goes away between opening the log and starting the node: start() says so, and runs nothing. */
    @Test
    void databaseGoneBetweenOpeningTheLogAndStartingTheNode() throws Exception {
        String direct = TestDatabase.Kind.POSTGRESQL.url(null);
        try {
            JpaTestUnit.installSchema(direct, "postgres");
        } catch (SQLException e) {
            TestDatabase.skipOrFail("PostgreSQL at " + direct + " is not reachable: " + e.getMessage(), e);
        }
        try (TcpProxy proxy = new TcpProxy(5432);
             JpaTestUnit unit = JpaTestUnit.open("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?"
                     + PG_TIMEOUTS, "postgres", BOUNDED_POOL)) {
            JpaRaftLog log = unit.log("gone-" + UUID.randomUUID());
            // Entries the node must read at start (only the last one's term is kept in memory).
            log.append(List.of(LogEntry.command(1, 1, new byte[] {1}), LogEntry.command(2, 1, new byte[] {2})));
            proxy.cut();
            RaftNode node = new RaftNode(RaftNodeConfig.of("n1", "open-failure"), log,
                    new LocalNetwork().transport("n1"), new CountingStateMachine());
            JpaLogException e = assertTimeoutPreemptively(BOUND,
                    () -> catchThrowableOfType(JpaLogException.class, node::start));
            assertThat(e).as("start() on a log whose database went away").isNotNull()
                    .hasMessageContaining("raft log of node " + log.nodeId())
                    .hasMessageContaining("reading the term of entry 1 failed");
            assertThat(node.status().role()).isEqualTo(Role.STOPPED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "DROP TABLE raft_snapshot_chunk | table raft_snapshot_chunk is missing",
            "ALTER TABLE raft_entry DROP COLUMN checksum | column raft_entry.checksum is missing",
            "ALTER TABLE raft_hard_state DROP COLUMN voted_for | column raft_hard_state.voted_for is missing",
    })
    void schemaNotAsTheLogNeedsIt(String alteration, String expected) throws Exception {
        String url = "jdbc:h2:file:" + Path.of("target", "h2", "scratch-" + UUID.randomUUID()).toAbsolutePath()
                + JpaRaftLog.H2_DURABLE_URL_OPTIONS;
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            RaftSchema.install(c);
            try (Statement s = c.createStatement()) {
                s.execute(alteration);
            }
        }
        JpaLogException e = failToStart(url, "sa");
        assertThat(e).hasMessageContaining("checking the raft_ tables failed").hasMessageContaining(expected);
    }

    @Test
    void noRaftTablesAtAll() {
        String url = "jdbc:h2:file:" + Path.of("target", "h2", "scratch-" + UUID.randomUUID()).toAbsolutePath()
                + JpaRaftLog.H2_DURABLE_URL_OPTIONS;
        JpaLogException e = failToStart(url, "sa");
        assertThat(e).hasMessageContaining("checking the raft_ tables failed")
                .hasMessageContaining("table raft_schema_version is missing")
                .hasMessageContaining("RaftSchema.install");
    }

    private static JpaLogException failToStart(String url) {
        return failToStart(url, "postgres");
    }

    /** Starting a node on {@code url} fails, within {@link #BOUND}, with the JpaLogException it returns. */
    private static JpaLogException failToStart(String url, String user) {
        String nodeId = "n-" + UUID.randomUUID();
        long started = System.nanoTime();
        JpaLogException e = assertTimeoutPreemptively(BOUND, () -> {
            try (JpaTestUnit unit = JpaTestUnit.open(url, user, BOUNDED_POOL)) {
                return catchThrowableOfType(JpaLogException.class, () -> startNode(unit, nodeId));
            }
        });
        System.out.printf("%s failed in %d ms: %s%n", url, (System.nanoTime() - started) / 1_000_000,
                e == null ? "(no failure)" : e.getMessage());
        assertThat(e).as("starting a node on " + url).isNotNull()
                .hasMessageContaining("raft log of node " + nodeId + " in cluster " + JpaTestUnit.CLUSTER);
        return e;
    }
}
