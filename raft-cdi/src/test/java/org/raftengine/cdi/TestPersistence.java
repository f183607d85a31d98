package org.raftengine.cdi;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.agroal.narayana.NarayanaTransactionIntegration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import jakarta.persistence.PersistenceUnitTransactionType;
import jakarta.transaction.TransactionScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.raftengine.jpa.JpaRaftLog;
import org.raftengine.jpa.RaftSchema;

/**
 * What the test application provides, as an application would: its persistence unit (JTA, Narayana, an Agroal
 * pool on the database of {@code test.jdbc-url}, with the raft_ entities and its own), and a
 * transaction-scoped entity manager for its observers.
 */
@ApplicationScoped
public class TestPersistence {

    @Produces
    @ApplicationScoped
    AgroalDataSource dataSource(@ConfigProperty(name = "test.jdbc-url") String url,
                                @ConfigProperty(name = "test.jdbc-user", defaultValue = "sa") String user)
            throws SQLException {
        AgroalDataSource ds = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(8).acquisitionTimeout(Duration.ofSeconds(10))
                        .transactionIntegration(new NarayanaTransactionIntegration(
                                com.arjuna.ats.jta.TransactionManager.transactionManager(),
                                new TransactionSynchronizationRegistryImple()))
                        .connectionFactoryConfiguration(cf -> cf.jdbcUrl(url).principal(new NamePrincipal(user))
                                .credential(new SimplePassword("")))));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            RaftSchema.install(c);
            s.execute(Account.DDL);
            s.execute(AppliedTransfer.DDL);
        }
        return ds;
    }

    void closeDataSource(@Disposes AgroalDataSource ds) {
        ds.close();
    }

    @Produces
    @ApplicationScoped
    EntityManagerFactory entityManagerFactory(AgroalDataSource ds) {
        PersistenceConfiguration unit = new PersistenceConfiguration("ledger")
                .transactionType(PersistenceUnitTransactionType.JTA)
                .property("jakarta.persistence.jtaDataSource", ds)
                .property("jakarta.persistence.schema-generation.database.action", "none")
                .property("hibernate.transaction.jta.platform",
                        "org.hibernate.engine.transaction.jta.platform.internal.NarayanaJtaPlatform")
                .property("hibernate.jdbc.batch_size", "64");
        JpaRaftLog.ENTITY_CLASSES.forEach(unit::managedClass);
        unit.managedClass(Account.class);
        unit.managedClass(AppliedTransfer.class);
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
}
