package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import jakarta.persistence.PersistenceUnitTransactionType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.Role;
import org.raftengine.core.transport.LocalNetwork;

/** The README's JPA sample, in plain Java SE (resource-local transactions), so it cannot rot. */
class JpaReadmeExampleTest {

    @Test
    void theReadmeSampleRuns() throws Exception {
        String url = "jdbc:h2:file:" + Path.of("target", "h2", "readme-" + UUID.randomUUID()).toAbsolutePath()
                + JpaRaftLog.H2_DURABLE_URL_OPTIONS;
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute(KvRow.DDL); // the application's own table
        }

        // --- README: JPA sample begins
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            RaftSchema.install(c); // or Flyway/Liquibase with META-INF/raftengine/db/<database>/V1__raftengine_log.sql
        }
        PersistenceConfiguration unit = new PersistenceConfiguration("orders")
                .transactionType(PersistenceUnitTransactionType.RESOURCE_LOCAL)
                .property(PersistenceConfiguration.JDBC_URL, url)
                .property(PersistenceConfiguration.JDBC_USER, "sa")
                .property("hibernate.jdbc.batch_size", "256"); // an append of a batch is one JDBC batch
        JpaRaftLog.ENTITY_CLASSES.forEach(unit::managedClass); // the raft_ tables
        unit.managedClass(KvRow.class);                        // your own entities
        EntityManagerFactory emf = unit.createEntityManagerFactory();
        JpaTransactions tx = JpaTransactions.resourceLocal(emf); // or JpaTransactions.jta(emf, transactionManager)

        JpaRaftLog log = JpaRaftLog.builder(tx).clusterId("orders").nodeId("n1").open();
        JpaStateMachine state = new JpaStateMachine(tx, JpaAppliedState.of(log), (em, index, command) -> {
            String[] kv = new String(command, StandardCharsets.UTF_8).split("=", 2);
            em.merge(new KvRow(kv[0], kv[1])); // in the transaction that records the entry as applied
            return new byte[0];
        });
        RaftNodeConfig config = RaftNodeConfig.of("n1", "orders")
                .withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1"));
        RaftNode node = new RaftNode(config, log, new LocalNetwork().transport("n1"), state);
        node.start();
        // --- README: JPA sample ends

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.status().role() == Role.LEADER);
        CommandResult r = node.submit("topic-7=server-2".getBytes(StandardCharsets.UTF_8))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(CommandResult.Ok.class);
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        KvRow row = tx.inTransaction(em -> em.find(KvRow.class, "topic-7"));
        assertThat(row.value).isEqualTo("server-2");
        assertThat(new JpaAppliedState(tx, "orders", "n1").lastApplied()).isEqualTo(r instanceof CommandResult.Ok ok
                ? ok.index() : -1);
        emf.close();
    }
}
