package org.raftengine.examples.ledger;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.Config;
import org.raftengine.jpa.RaftSchema;

/**
 * Creates the tables when the application starts, before the node does: the raft_ tables from raft-jpa-log's
 * script ({@link RaftSchema#install}: nothing when they are there) and the ledger's. On the datasource of
 * JNDI {@code ledger.datasource} (by default {@code java:jboss/datasources/LedgerDS}, the one of persistence.xml).
 * raft-cdi builds and starts the node on the same {@code Startup} event at the default observer priority
 * ({@code APPLICATION + 500}); this observer's lower number runs first. (Flyway or Liquibase with raft-jpa-log's
 * scripts would do as well.)
 */
@ApplicationScoped
public class LedgerSchema {
    static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS ledger_account (id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS ledger_movement (id VARCHAR(64) PRIMARY KEY, from_account VARCHAR(64),"
                + " to_account VARCHAR(64) NOT NULL, amount BIGINT NOT NULL, log_index BIGINT NOT NULL,"
                + " reapplied INT NOT NULL)"
    };

    @Inject
    Config config;

    void install(@Observes @Priority(Interceptor.Priority.APPLICATION) Startup startup)
            throws SQLException, NamingException {
        String name = config.getOptionalValue("ledger.datasource", String.class)
                .orElse("java:jboss/datasources/LedgerDS");
        DataSource dataSource = InitialContext.doLookup(name);
        try (Connection c = dataSource.getConnection()) {
            RaftSchema.install(c);
            try (Statement s = c.createStatement()) {
                for (String ddl : DDL) {
                    s.execute(ddl);
                }
            }
        }
    }
}
