package org.raftengine.bench.cdi;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.agroal.narayana.NarayanaTransactionIntegration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.jms.ConnectionFactory;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import jakarta.persistence.PersistenceUnitTransactionType;
import jakarta.transaction.TransactionScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.raftengine.jpa.JpaRaftLog;
import org.raftengine.jpa.RaftSchema;

/**
 * What the CDI run's application provides raft-cdi, as a production application would: its persistence unit (JTA
 * through Narayana, an Agroal pool enlisted in its transactions on {@code bench.jdbc-url}, Hibernate with
 * {@code hibernate.jdbc.batch_size}, the raft_ entities and {@link BenchCounter}), a transaction-scoped entity
 * manager for its observer, and the Artemis client's JMS connection factory on {@code bench.jms-url} (TCP).
 */
@ApplicationScoped
public class CdiBenchBeans {
    /** Hibernate's JDBC batch: the inserts of a batch of log entries, the updates of a batch of counters. */
    static final int JDBC_BATCH_SIZE = 256;

    @Produces
    @ApplicationScoped
    AgroalDataSource dataSource(@ConfigProperty(name = "bench.jdbc-url") String url,
                                @ConfigProperty(name = "bench.jdbc-user", defaultValue = "sa") String user,
                                @ConfigProperty(name = "bench.pool-size", defaultValue = "8") int poolSize)
            throws SQLException {
        AgroalDataSource ds = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(poolSize).acquisitionTimeout(Duration.ofSeconds(10))
                        .transactionIntegration(new NarayanaTransactionIntegration(
                                com.arjuna.ats.jta.TransactionManager.transactionManager(),
                                new TransactionSynchronizationRegistryImple()))
                        .connectionFactoryConfiguration(cf -> cf.jdbcUrl(url).principal(new NamePrincipal(user))
                                .credential(new SimplePassword("")))));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            RaftSchema.install(c);
            s.execute(BenchCounter.DDL);
        }
        return ds;
    }

    void closeDataSource(@Disposes AgroalDataSource ds) {
        ds.close();
    }

    @Produces
    @ApplicationScoped
    EntityManagerFactory entityManagerFactory(AgroalDataSource ds) {
        PersistenceConfiguration unit = new PersistenceConfiguration("raft-bench-cdi")
                .transactionType(PersistenceUnitTransactionType.JTA)
                .property("jakarta.persistence.jtaDataSource", ds)
                .property("jakarta.persistence.schema-generation.database.action", "none")
                .property("hibernate.transaction.jta.platform",
                        "org.hibernate.engine.transaction.jta.platform.internal.NarayanaJtaPlatform")
                .property("hibernate.jdbc.batch_size", String.valueOf(JDBC_BATCH_SIZE))
                .property("hibernate.order_inserts", "true")
                .property("hibernate.order_updates", "true");
        JpaRaftLog.ENTITY_CLASSES.forEach(unit::managedClass);
        unit.managedClass(BenchCounter.class);
        return unit.createEntityManagerFactory();
    }

    void closeEntityManagerFactory(@Disposes EntityManagerFactory emf) {
        emf.close();
    }

    @Produces
    @TransactionScoped
    EntityManager entityManager(EntityManagerFactory emf) {
        EntityManager em = emf.createEntityManager();
        em.joinTransaction();
        return em;
    }

    void closeEntityManager(@Disposes EntityManager em) {
        em.close();
    }

    @Produces
    @ApplicationScoped
    ConnectionFactory connectionFactory(@ConfigProperty(name = "bench.jms-url") String url) {
        return new ActiveMQConnectionFactory(url);
    }

    void closeConnectionFactory(@Disposes ConnectionFactory factory) {
        ((ActiveMQConnectionFactory) factory).close();
    }
}
