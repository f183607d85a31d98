package org.raftengine.cdi.quarkus;

import io.agroal.api.AgroalDataSource;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.raftengine.jpa.RaftSchema;

/**
 * Creates the tables at start, before the node starts: the raft_ tables from raft-jpa-log's own script
 * ({@link RaftSchema#install}, which does nothing when they are there), and the application's. Hibernate
 * generates no schema here ({@code quarkus.hibernate-orm.schema-management.strategy=none}): it would create
 * the raft_ tables from the entities, without {@code raft_schema_version}, which the log checks at open; and
 * Quarkus runs {@code quarkus.hibernate-orm.sql-load-script} only when Hibernate creates the schema (with
 * strategy {@code none} it does not run, and it must be a file of the application's own, not a dependency's).
 * RaftNodeProducer builds the node on the same {@code Startup} event at the default observer priority
 * ({@code APPLICATION + 500}); this observer's lower number runs it first.
 */
@ApplicationScoped
public class LedgerSchema {
    @Inject
    AgroalDataSource dataSource;

    void install(@Observes @Priority(Interceptor.Priority.APPLICATION) Startup startup) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            RaftSchema.install(c);
            s.execute(Account.DDL);
        }
    }
}
