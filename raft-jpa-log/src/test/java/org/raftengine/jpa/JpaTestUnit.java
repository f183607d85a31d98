package org.raftengine.jpa;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalConnectionPoolConfigurationSupplier;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.agroal.narayana.NarayanaTransactionIntegration;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import jakarta.persistence.PersistenceUnitTransactionType;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.function.UnaryOperator;

/**
 * A JTA persistence unit (Narayana, Agroal, Hibernate) over any JDBC URL, with the pool settings the test
 * chooses: the failure tests point it at a closed port, a proxy they cut, or a child JVM's database, which
 * {@link TestDatabase} (fixed URLs, fixed pool) cannot. The dialect is named up front, so the unit can be made
 * while the database is unreachable and the failure shows where the log meets it, at {@code open()}.
 */
final class JpaTestUnit implements AutoCloseable {
    static final String CLUSTER = "test";

    static {
        TestDatabase.configureNarayana();
    }

    final String url;
    final AgroalDataSource dataSource;
    final EntityManagerFactory entityManagerFactory;
    final JpaTransactions transactions;

    private JpaTestUnit(String url, String user, UnaryOperator<AgroalConnectionPoolConfigurationSupplier> pool)
            throws SQLException {
        this.url = url;
        TransactionManager tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(p -> pool.apply(p.maxSize(4)
                        .transactionIntegration(new NarayanaTransactionIntegration(tm,
                                new TransactionSynchronizationRegistryImple())))
                        .connectionFactoryConfiguration(cf -> cf.jdbcUrl(url)
                                .principal(new NamePrincipal(user)).credential(new SimplePassword(""))));
        this.dataSource = AgroalDataSource.from(config);
        PersistenceConfiguration unit = new PersistenceConfiguration("raft-failure-test")
                .transactionType(PersistenceUnitTransactionType.JTA)
                .property("jakarta.persistence.jtaDataSource", dataSource)
                .property("hibernate.transaction.jta.platform",
                        "org.hibernate.engine.transaction.jta.platform.internal.NarayanaJtaPlatform")
                .property("jakarta.persistence.schema-generation.database.action", "none")
                // Booting must not need the database: a test opens the unit while the database is down.
                .property("hibernate.boot.allow_jdbc_metadata_access", "false")
                .property("hibernate.dialect", dialect(url))
                .property("hibernate.jdbc.batch_size", "256")
                .property("hibernate.order_inserts", "true");
        JpaRaftLog.ENTITY_CLASSES.forEach(unit::managedClass);
        try {
            this.entityManagerFactory = unit.createEntityManagerFactory();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        this.transactions = JpaTransactions.jta(entityManagerFactory, tm);
    }

    /** A unit over {@code url}; {@code pool} adds to a pool of at most 4 connections enlisted in JTA. */
    static JpaTestUnit open(String url, String user, UnaryOperator<AgroalConnectionPoolConfigurationSupplier> pool) {
        try {
            return new JpaTestUnit(url, user, pool);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up a pool on " + url, e);
        }
    }

    /** Creates the raft_ tables at {@code url} if they are not there, over a plain connection. */
    static void installSchema(String url, String user) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            RaftSchema.install(c);
        }
    }

    private static String dialect(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return "org.hibernate.dialect.PostgreSQLDialect";
        }
        if (url.startsWith("jdbc:h2:")) {
            return "org.hibernate.dialect.H2Dialect";
        }
        if (url.startsWith("jdbc:mariadb:")) {
            return "org.hibernate.dialect.MariaDBDialect";
        }
        throw new IllegalArgumentException("no dialect known for " + url);
    }

    /** The log of node {@code nodeId} in the test cluster, created if it has no storage yet. */
    JpaRaftLog log(String nodeId) {
        return JpaRaftLog.builder(transactions).clusterId(CLUSTER).nodeId(nodeId).open();
    }

    @Override
    public void close() {
        try {
            entityManagerFactory.close();
        } finally {
            dataSource.close();
        }
    }
}
