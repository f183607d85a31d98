package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import jakarta.persistence.PersistenceUnitTransactionType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The log refuses databases that acknowledge commits before they are durable, where it can see it. */
class DurabilityCheckTest {

    private static String h2File(String options) {
        return "jdbc:h2:file:" + Path.of("target", "h2", "durability-" + UUID.randomUUID()).toAbsolutePath() + options;
    }

    private static Connection connect(TestDatabase.Kind kind) {
        try {
            return DriverManager.getConnection(kind.url("unused"), kind.user(), "");
        } catch (SQLException e) {
            TestDatabase.skipOrFail(kind + " is not reachable: " + e.getMessage(), e);
            throw new AssertionError("not reached");
        }
    }

    @Test
    void h2WithDelayedCommitWritesIsSeen() throws SQLException {
        try (Connection delayed = DriverManager.getConnection(h2File(""), "sa", "");
             Connection durable = DriverManager.getConnection(h2File(JpaRaftLog.H2_DURABLE_URL_OPTIONS), "sa", "");
             Connection memory = DriverManager.getConnection("jdbc:h2:mem:durability", "sa", "")) {
            assertThat(DurabilityCheck.problems(delayed)).anySatisfy(p -> assertThat(p).contains("WRITE_DELAY=0"));
            assertThat(DurabilityCheck.problems(durable)).isEmpty();
            assertThat(DurabilityCheck.problems(memory)).singleElement().asString().contains("in memory");
        }
    }

    @Test
    void h2ThatReusesSpaceInItsFileIsSeen() throws SQLException {
        try (Connection reusing = DriverManager.getConnection(h2File(";WRITE_DELAY=0"), "sa", "")) {
            assertThat(DurabilityCheck.problems(reusing)).singleElement().asString()
                    .contains("REUSE_SPACE=FALSE").contains(reusing.getMetaData().getDatabaseProductVersion());
        }
    }

    @Test
    void spaceReuseIsAProblemFromH2TwoFiveOn() {
        assertThat(DurabilityCheck.reusesSpaceUnsafely("2.5.252 (2026-09-23)", null)).isTrue();
        assertThat(DurabilityCheck.reusesSpaceUnsafely("2.5.252 (2026-09-23)", "TRUE")).isTrue();
        assertThat(DurabilityCheck.reusesSpaceUnsafely("2.5.252 (2026-09-23)", "FALSE")).isFalse();
        assertThat(DurabilityCheck.reusesSpaceUnsafely("3.0.1", "true")).isTrue();
        assertThat(DurabilityCheck.reusesSpaceUnsafely("2.4.240 (2025-09-22)", "true")).isFalse();
        assertThat(DurabilityCheck.reusesSpaceUnsafely("2.3.232 (2024-08-11)", null)).isFalse();
        assertThat(DurabilityCheck.reusesSpaceUnsafely("unknown", null)).isTrue();
    }

    @Test
    void postgreSqlWithoutSynchronousCommitIsSeen() throws SQLException {
        try (Connection c = connect(TestDatabase.Kind.POSTGRESQL); Statement s = c.createStatement()) {
            assertThat(DurabilityCheck.problems(c)).as("this machine's PostgreSQL is durable").isEmpty();
            s.execute("SET synchronous_commit = off");
            assertThat(DurabilityCheck.problems(c)).singleElement().asString().contains("synchronous_commit");
        }
    }

    @Test
    void mariaDbIsCheckedForItsLogFlushSetting() throws SQLException {
        try (Connection c = connect(TestDatabase.Kind.MARIADB)) {
            // innodb_flush_log_at_trx_commit is global only; this machine's server keeps the durable 1.
            assertThat(DurabilityCheck.problems(c)).isEmpty();
        }
    }

    @Test
    void theLogRefusesToOpenOnANonDurableDatabaseUnlessTold() throws SQLException {
        String url = h2File("");
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            RaftSchema.install(c);
        }
        PersistenceConfiguration unit = new PersistenceConfiguration("non-durable")
                .transactionType(PersistenceUnitTransactionType.RESOURCE_LOCAL)
                .property(PersistenceConfiguration.JDBC_URL, url)
                .property(PersistenceConfiguration.JDBC_USER, "sa");
        JpaRaftLog.ENTITY_CLASSES.forEach(unit::managedClass);
        try (EntityManagerFactory emf = unit.createEntityManagerFactory()) {
            JpaTransactions tx = JpaTransactions.resourceLocal(emf);

            assertThatThrownBy(() -> JpaRaftLog.builder(tx).nodeId("n1").open())
                    .isInstanceOf(JpaLogException.class)
                    .hasMessageContaining("refuses a database that may lose acknowledged commits")
                    .hasMessageContaining("WRITE_DELAY=0");

            JpaRaftLog accepted = JpaRaftLog.builder(tx).nodeId("n1").acceptNonDurableDatabase().open();
            assertThat(accepted.durabilityWarnings()).anySatisfy(w -> assertThat(w).contains("WRITE_DELAY"));
        }
    }
}
