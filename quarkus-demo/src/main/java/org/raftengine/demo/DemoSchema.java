package org.raftengine.demo;

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
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.raftengine.jpa.RaftSchema;

/**
 * Creates the tables at start, before the node starts (RaftNodeProducer builds it on the same {@code Startup} event
 * at the default priority; this lower number runs first): the schema of this node when {@code demo.db.schema} names
 * one (several nodes on one PostgreSQL database, a schema each, the connection URL's {@code currentSchema} pointing
 * at it), the raft_ tables from raft-jpa-log's script ({@link RaftSchema#install}: nothing when they are there), and
 * the demo's own two tables. Hibernate generates no schema
 * ({@code quarkus.hibernate-orm.schema-management.strategy=none}).
 */
@ApplicationScoped
public class DemoSchema {
    private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    @Inject
    AgroalDataSource dataSource;
    @ConfigProperty(name = "demo.db.schema")
    Optional<String> schema;

    void install(@Observes @Priority(Interceptor.Priority.APPLICATION) Startup startup) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            if (schema.isPresent()) {
                if (!SCHEMA.matcher(schema.get()).matches()) {
                    throw new IllegalArgumentException("demo.db.schema: '" + schema.get() + "' is not a plain"
                            + " lower-case SQL name");
                }
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema.get());
                c.setSchema(schema.get());
            }
            RaftSchema.install(c);
            s.execute(TopicAssignment.DDL);
            s.execute(AssignmentEvent.DDL);
        }
    }
}
