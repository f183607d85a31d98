package org.raftengine.bench;

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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.raftengine.jpa.JpaRaftLog;
import org.raftengine.jpa.JpaTransactions;
import org.raftengine.jpa.RaftSchema;

/**
 * One database of the JPA run, set up as a user of {@code raft-jpa-log} would in Java SE: Narayana's JTA
 * transaction manager, an Agroal pool enlisted in its transactions, and a Hibernate persistence unit of
 * transaction type JTA listing {@link JpaRaftLog#ENTITY_CLASSES} (JPA 3.2 {@link PersistenceConfiguration},
 * no {@code persistence.xml}), with JDBC batching on; the {@code raft_} tables installed by
 * {@link RaftSchema#install} if missing. The same set-up as raft-jpa-log's test fixture.
 */
final class JpaDatabase implements AutoCloseable {

    /** Statements Hibernate groups into one JDBC batch ({@code hibernate.jdbc.batch_size}). */
    static final int JDBC_BATCH_SIZE = 256;
    /** The PostgreSQL the run uses: this machine's, database {@code test}, user postgres without password. */
    static final String POSTGRESQL_URL = "jdbc:postgresql://127.0.0.1:5432/test?reWriteBatchedInserts=true";

    /** The databases the run knows, in the order it measures them. */
    static final List<String> ALL = List.of("h2", "postgresql");

    private static volatile boolean narayanaConfigured;

    final String name;
    final String url;
    final String user;
    final int poolSize;
    private final AgroalDataSource dataSource;
    private final EntityManagerFactory entityManagerFactory;
    private final JpaTransactions transactions;
    private final String product;

    /** Why a database cannot be had here (a server that is not reachable): the run skips it. */
    static final class UnavailableException extends Exception {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Opens {@code name} ({@code h2}: a file under {@code workDir}; {@code postgresql}: {@link #POSTGRESQL_URL}).
     *
     * @param statistics turn on Hibernate's statistics ({@code hibernate.generate_statistics}): statements,
     *                   inserts and flushes per append, at some cost
     * @throws UnavailableException if the server cannot be reached
     */
    static JpaDatabase open(String name, Path workDir, int poolSize, boolean statistics)
            throws UnavailableException, SQLException {
        configureNarayana(workDir.resolve("narayana"));
        String url;
        String user;
        switch (name) {
            case "h2" -> {
                url = "jdbc:h2:file:" + workDir.resolve("h2").resolve("bench").toAbsolutePath()
                        + JpaRaftLog.H2_DURABLE_URL_OPTIONS;
                user = "sa";
            }
            case "postgresql" -> {
                url = POSTGRESQL_URL;
                user = "postgres";
                try {
                    DriverManager.getConnection(url, user, "").close();
                } catch (SQLException e) {
                    throw new UnavailableException("PostgreSQL at " + url + " (user " + user + ") is not reachable: "
                            + e.getMessage(), e);
                }
            }
            default -> throw new IllegalArgumentException("unknown database '" + name + "'; known: " + ALL);
        }
        return new JpaDatabase(name, url, user, poolSize, statistics);
    }

    /** Narayana's object store under the run's folder, and no status socket; once, before its first use. */
    private static synchronized void configureNarayana(Path store) {
        if (narayanaConfigured) {
            return;
        }
        String dir = store.toAbsolutePath().toString();
        System.setProperty("ObjectStoreEnvironmentBean.objectStoreDir", dir);
        System.setProperty("ObjectStoreEnvironmentBean.communicationStore.objectStoreDir", dir);
        System.setProperty("com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean.objectStoreDir", dir);
        System.setProperty("CoordinatorEnvironmentBean.transactionStatusManagerEnable", "false");
        narayanaConfigured = true;
    }

    private JpaDatabase(String name, String url, String user, int poolSize, boolean statistics) throws SQLException {
        this.name = name;
        this.url = url;
        this.user = user;
        this.poolSize = poolSize;
        TransactionManager tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(poolSize)
                        .acquisitionTimeout(Duration.ofSeconds(10))
                        .transactionIntegration(new NarayanaTransactionIntegration(tm,
                                new TransactionSynchronizationRegistryImple()))
                        .connectionFactoryConfiguration(cf -> cf.jdbcUrl(url)
                                .principal(new NamePrincipal(user)).credential(new SimplePassword(""))));
        this.dataSource = AgroalDataSource.from(config);
        try (Connection c = dataSource.getConnection()) {
            RaftSchema.install(c);
            this.product = c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
        }
        PersistenceConfiguration unit = new PersistenceConfiguration("raft-bench-" + name)
                .transactionType(PersistenceUnitTransactionType.JTA)
                .property("jakarta.persistence.jtaDataSource", dataSource)
                .property("hibernate.transaction.jta.platform",
                        "org.hibernate.engine.transaction.jta.platform.internal.NarayanaJtaPlatform")
                .property("jakarta.persistence.schema-generation.database.action", "none")
                .property("hibernate.jdbc.batch_size", String.valueOf(JDBC_BATCH_SIZE))
                .property("hibernate.order_inserts", "true")
                .property("hibernate.show_sql", "false")
                .property("hibernate.generate_statistics", String.valueOf(statistics));
        JpaRaftLog.ENTITY_CLASSES.forEach(unit::managedClass);
        this.entityManagerFactory = unit.createEntityManagerFactory();
        this.transactions = JpaTransactions.jta(entityManagerFactory, tm);
    }

    /** The transactions a {@link JpaRaftLog} of this database runs in (JTA). */
    JpaTransactions transactions() {
        return transactions;
    }

    /** Hibernate's statistics (all zero unless opened with statistics on). */
    Statistics statistics() {
        return entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
    }

    /** A new log of node {@code nodeId} in cluster {@code clusterId}. */
    JpaRaftLog openLog(String clusterId, String nodeId) {
        return JpaRaftLog.builder(transactions).clusterId(clusterId).nodeId(nodeId).open();
    }

    /** The product and version, and the settings that bear on the figures. */
    String describe() {
        List<String> settings = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            if (name.equals("postgresql")) {
                for (String s : List.of("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes",
                        "shared_buffers")) {
                    settings.add(s + "=" + single(c, "SHOW " + s));
                }
            } else {
                for (String s : List.of("WRITE_DELAY", "REUSE_SPACE")) {
                    settings.add(s + "=" + single(c, "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                            + " WHERE SETTING_NAME = '" + s + "'"));
                }
            }
        } catch (SQLException e) {
            settings.add("settings unknown: " + e.getMessage());
        }
        return String.format(Locale.ROOT, "%s; %s; server: %s", product, url, String.join(", ", settings));
    }

    /** Deletes every row of {@code clusterId} from the raft_ tables; answers the raft_entry rows deleted. */
    long deleteCluster(String clusterId) throws SQLException {
        long entries = 0;
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            for (String table : List.of("raft_entry", "raft_snapshot_chunk", "raft_snapshot", "raft_outcome",
                    "raft_applied", "raft_hard_state", "raft_node")) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE cluster_id = ?")) {
                    s.setString(1, clusterId);
                    int n = s.executeUpdate();
                    if (table.equals("raft_entry")) {
                        entries = n;
                    }
                }
            }
        }
        return entries;
    }

    /** Rows of {@code clusterId} in raft_entry (to show the clean-up worked). */
    long entryRows(String clusterId) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, "");
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM raft_entry WHERE cluster_id = ?")) {
            s.setString(1, clusterId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "?";
        }
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
