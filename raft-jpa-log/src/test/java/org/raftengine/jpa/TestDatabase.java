package org.raftengine.jpa;

import static org.junit.jupiter.api.Assertions.fail;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.agroal.narayana.NarayanaTransactionIntegration;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import jakarta.persistence.PersistenceUnitTransactionType;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A real database for the tests, with the raft_ tables installed: H2 in a file under target/, or the
 * PostgreSQL and MariaDB servers on this machine. A persistence unit over it, through JTA (Narayana with an
 * Agroal pool enlisted in its transactions) or resource-local. Server databases that are not reachable skip
 * the test on a developer's machine and fail it under {@code CI=true}.
 */
final class TestDatabase implements AutoCloseable {

    /** Which database. */
    enum Kind {
        H2, POSTGRESQL, MARIADB;

        String url(String name) {
            return switch (this) {
                case H2 -> "jdbc:h2:file:" + Path.of("target", "h2", name).toAbsolutePath() + JpaRaftLog.H2_DURABLE_URL_OPTIONS;
                case POSTGRESQL -> "jdbc:postgresql://127.0.0.1:5432/test?reWriteBatchedInserts=true";
                case MARIADB -> "jdbc:mariadb://127.0.0.1:3306/test";
            };
        }

        String user() {
            return switch (this) {
                case H2 -> "sa";
                case POSTGRESQL -> "postgres";
                case MARIADB -> "root";
            };
        }
    }

    static {
        configureNarayana();
    }

    /**
     * Narayana's object store under target/, and no status socket (see STACK.md). Set before the transaction
     * manager is first used, by every class of these tests that makes one (it is a singleton of the JVM).
     */
    static void configureNarayana() {
        Path store = Path.of("target", "narayana").toAbsolutePath();
        System.setProperty("ObjectStoreEnvironmentBean.objectStoreDir", store.toString());
        System.setProperty("ObjectStoreEnvironmentBean.communicationStore.objectStoreDir", store.toString());
        System.setProperty("com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean.objectStoreDir", store.toString());
        System.setProperty("CoordinatorEnvironmentBean.transactionStatusManagerEnable", "false");
    }

    final Kind kind;
    final String url;
    final TransactionManager transactionManager;
    private final AgroalDataSource dataSource;
    final EntityManagerFactory entityManagerFactory;
    final JpaTransactions transactions;

    private TestDatabase(Kind kind, String url, boolean jta, List<Class<?>> appEntities) throws SQLException {
        this.kind = kind;
        this.url = url;
        this.transactionManager = jta ? com.arjuna.ats.jta.TransactionManager.transactionManager() : null;
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> {
                    pool.maxSize(8).acquisitionTimeout(Duration.ofSeconds(10));
                    if (jta) {
                        pool.transactionIntegration(new NarayanaTransactionIntegration(transactionManager,
                                new TransactionSynchronizationRegistryImple()));
                    }
                    return pool.connectionFactoryConfiguration(cf -> cf.jdbcUrl(url)
                            .principal(new NamePrincipal(kind.user())).credential(new SimplePassword("")));
                });
        this.dataSource = AgroalDataSource.from(config);
        try (Connection c = dataSource.getConnection()) {
            RaftSchema.install(c);
        }
        PersistenceConfiguration unit = new PersistenceConfiguration("raft-test-" + kind)
                .transactionType(jta ? PersistenceUnitTransactionType.JTA : PersistenceUnitTransactionType.RESOURCE_LOCAL)
                .property("jakarta.persistence.schema-generation.database.action", "none")
                .property("hibernate.jdbc.batch_size", "256")
                .property("hibernate.order_inserts", "true")
                .property("hibernate.show_sql", "false");
        if (jta) {
            unit.property("jakarta.persistence.jtaDataSource", dataSource)
                    .property("hibernate.transaction.jta.platform",
                            "org.hibernate.engine.transaction.jta.platform.internal.NarayanaJtaPlatform");
        } else {
            unit.property("jakarta.persistence.nonJtaDataSource", dataSource);
        }
        JpaRaftLog.ENTITY_CLASSES.forEach(unit::managedClass);
        appEntities.forEach(unit::managedClass);
        this.entityManagerFactory = unit.createEntityManagerFactory();
        this.transactions = jta ? JpaTransactions.jta(entityManagerFactory, transactionManager)
                : JpaTransactions.resourceLocal(entityManagerFactory);
    }

    /** The database of {@code kind} (H2: a file named {@code h2Name}), through JTA; skips or fails if unreachable. */
    static TestDatabase open(Kind kind, String h2Name, boolean jta) {
        return open(kind, h2Name, jta, List.of());
    }

    /** As {@link #open(Kind, String, boolean)}, with the application's entities in the persistence unit too. */
    static TestDatabase open(Kind kind, String h2Name, boolean jta, List<Class<?>> appEntities) {
        String url = kind.url(h2Name);
        try {
            if (kind != Kind.H2) {
                DriverManager.getConnection(url, kind.user(), "").close();
            }
        } catch (SQLException e) {
            skipOrFail(kind + " at " + url + " is not reachable: " + e.getMessage(), e);
        }
        try {
            return new TestDatabase(kind, url, jta, appEntities);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up " + kind + " at " + url, e);
        }
    }

    /** A new log, for a node id no other test uses (so tests share the database as nodes of a cluster would). */
    JpaRaftLog newLog() {
        return JpaRaftLog.builder(transactions).clusterId("test").nodeId("n-" + UUID.randomUUID()).open();
    }

    /** The same node's storage opened again. */
    JpaRaftLog reopen(JpaRaftLog log) {
        return JpaRaftLog.builder(transactions).clusterId(log.clusterId()).nodeId(log.nodeId()).open();
    }

    /** A plain connection, outside the persistence unit and its transactions (auto-commit). */
    Connection connection() throws SQLException {
        return DriverManager.getConnection(url, kind.user(), "");
    }

    @Override
    public void close() {
        entityManagerFactory.close();
        dataSource.close();
    }

    /** Skips the calling test, or fails it under CI=true; never returns normally. */
    static void skipOrFail(String why, Throwable cause) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and " + why, cause);
        }
        Assumptions.abort("skipped: " + why);
    }
}
