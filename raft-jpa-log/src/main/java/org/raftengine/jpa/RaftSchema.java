package org.raftengine.jpa;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code raft_} tables: the DDL scripts shipped in the jar, and the check the log makes at start.
 *
 * <p>The scripts are {@code META-INF/raftengine/db/<database>/V<version>__raftengine_log.sql} for
 * {@link Database#H2}, {@link Database#POSTGRESQL} and {@link Database#MARIADB}, named for Flyway; a Flyway
 * user adds {@code classpath:META-INF/raftengine/db/postgresql} (say) to its locations, a Liquibase user
 * includes the file as a {@code sqlFile} change. Without either, {@link #install} runs the script itself.
 */
public final class RaftSchema {
    /** The schema version this library reads and writes. */
    public static final int VERSION = 1;

    /** The databases a script is shipped for. */
    public enum Database {
        H2("h2"), POSTGRESQL("postgresql"), MARIADB("mariadb");

        private final String folder;

        Database(String folder) {
            this.folder = folder;
        }

        /** The classpath resource of this database's script for schema {@code version}. */
        public String script(int version) {
            return "META-INF/raftengine/db/" + folder + "/V" + version + "__raftengine_log.sql";
        }

        /** The database a connection talks to, from its product name. */
        public static Database of(Connection connection) throws SQLException {
            String product = connection.getMetaData().getDatabaseProductName();
            String p = product.toLowerCase(Locale.ROOT);
            if (p.contains("h2")) {
                return H2;
            }
            if (p.contains("postgres")) {
                return POSTGRESQL;
            }
            if (p.contains("mariadb") || p.contains("mysql")) {
                return MARIADB;
            }
            throw new JpaLogException("raftengine ships no schema for " + product + " (it has scripts for H2,"
                    + " PostgreSQL and MariaDB); create the raft_ tables of META-INF/raftengine/db/postgresql/V"
                    + VERSION + "__raftengine_log.sql with your database's types");
        }
    }

    /** The tables and their columns, as the entities map them, in the order of the script. */
    static final Map<String, List<String>> TABLES = tables();

    private RaftSchema() {
    }

    private static Map<String, List<String>> tables() {
        Map<String, List<String>> t = new LinkedHashMap<>();
        t.put("raft_schema_version", List.of("version", "description", "installed_at"));
        t.put("raft_node", List.of("cluster_id", "node_id", "storage_id", "first_index", "compacted_term", "broken",
                "broken_reason"));
        t.put("raft_hard_state", List.of("cluster_id", "node_id", "term", "voted_for"));
        t.put("raft_entry", List.of("cluster_id", "node_id", "idx", "term", "entry_type", "request_id", "data",
                "checksum"));
        t.put("raft_snapshot", List.of("cluster_id", "node_id", "snapshot_id", "idx", "term", "configuration",
                "size_bytes", "checksum", "committed"));
        t.put("raft_snapshot_chunk", List.of("cluster_id", "node_id", "snapshot_id", "chunk_no", "start_offset",
                "data"));
        t.put("raft_applied", List.of("cluster_id", "node_id", "applied_index"));
        t.put("raft_outcome", List.of("cluster_id", "node_id", "idx", "output", "rejection"));
        // In this order, so a database without the tables is told of raft_schema_version first (Map.copyOf has none).
        return Collections.unmodifiableMap(t);
    }

    /**
     * Creates the {@code raft_} tables on {@code connection} if there are none (for users without Flyway or
     * Liquibase, and for tests); does nothing if the schema is there already at this version.
     *
     * @return true if it created them
     * @throws JpaLogException if only some of the tables are there, or the schema is another version
     */
    public static boolean install(Connection connection) throws SQLException {
        Set<String> present = presentTables(connection);
        if (present.size() == TABLES.size()) {
            int version = version(connection);
            if (version != VERSION) {
                throw new JpaLogException("the raft_ tables are at schema version " + version + ", this library uses "
                        + VERSION);
            }
            return false;
        }
        if (!present.isEmpty()) {
            throw new JpaLogException("some raft_ tables exist (" + present + ") but not all: finish or undo the"
                    + " earlier installation by hand");
        }
        String script = script(Database.of(connection));
        boolean auto = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            for (String sql : statements(script)) {
                s.execute(sql);
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(auto);
        }
        return true;
    }

    /** The text of the script for {@code database}, at this library's version. */
    public static String script(Database database) {
        String name = database.script(VERSION);
        try (InputStream in = RaftSchema.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    /** The statements of a script: split at semicolons that end a line; comment lines dropped. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString());
        }
        return out;
    }

    /**
     * Checks that every table and column the log uses is there, and that the schema is this version.
     *
     * @throws JpaLogException naming the first missing table or column, or the version found
     */
    static void verify(Connection connection) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        for (Map.Entry<String, List<String>> table : TABLES.entrySet()) {
            Set<String> columns = columns(connection, meta, table.getKey());
            if (columns.isEmpty()) {
                throw new JpaLogException("table " + table.getKey() + " is missing from " + meta.getURL()
                        + ": create the raft_ tables with the script " + Database.of(connection).script(VERSION)
                        + " of raft-jpa-log.jar (Flyway, Liquibase, or RaftSchema.install)");
            }
            for (String column : table.getValue()) {
                if (!columns.contains(column)) {
                    throw new JpaLogException("column " + table.getKey() + "." + column + " is missing from "
                            + meta.getURL() + " (the table has " + columns + "); the raft_ tables must be those of"
                            + " schema version " + VERSION);
                }
            }
        }
        int version = version(connection);
        if (version != VERSION) {
            throw new JpaLogException("the raft_ tables of " + meta.getURL() + " are at schema version " + version
                    + ", this library uses " + VERSION);
        }
    }

    private static int version(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT MAX(version) FROM raft_schema_version")) {
            rs.next();
            int v = rs.getInt(1);
            return rs.wasNull() ? 0 : v;
        }
    }

    private static Set<String> presentTables(Connection connection) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        Set<String> present = new TreeSet<>();
        for (String table : TABLES.keySet()) {
            if (!columns(connection, meta, table).isEmpty()) {
                present.add(table);
            }
        }
        return present;
    }

    /** The lower-cased column names of {@code table} in the connection's schema; empty if there is no such table. */
    private static Set<String> columns(Connection connection, DatabaseMetaData meta, String table) throws SQLException {
        String schema = connection.getSchema();
        String escape = meta.getSearchStringEscape();
        Set<String> found = new TreeSet<>();
        // Databases fold unquoted names differently (H2 to upper case, PostgreSQL to lower case).
        for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
            try (ResultSet rs = meta.getColumns(connection.getCatalog(), schema,
                    escape == null ? name : name.replace("_", escape + "_"), null)) {
                while (rs.next()) {
                    found.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            if (!found.isEmpty()) {
                break;
            }
        }
        return found;
    }
}
