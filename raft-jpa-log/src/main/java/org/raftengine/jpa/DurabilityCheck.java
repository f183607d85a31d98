package org.raftengine.jpa;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Database settings that acknowledge a commit before it is on disk, where the log can see them. A Raft node
 * must never acknowledge an entry or a vote it may lose in a crash, so {@link JpaRaftLog} refuses to open on
 * such settings unless told to accept them (tests, demos).
 */
final class DurabilityCheck {
    private DurabilityCheck() {
    }

    /** What makes {@code connection}'s database lose acknowledged commits in a crash; empty if nothing seen. */
    static List<String> problems(Connection connection) throws SQLException {
        List<String> problems = new ArrayList<>();
        String url = connection.getMetaData().getURL();
        switch (RaftSchema.Database.of(connection)) {
            case H2 -> {
                if (url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:mem:")) {
                    problems.add("H2 in memory (" + url + ") keeps nothing when the process ends");
                } else {
                    String delay = single(connection,
                            "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'");
                    if (delay != null && !delay.strip().equals("0")) {
                        problems.add("H2 writes commits to its file " + delay + " ms after acknowledging them"
                                + " (WRITE_DELAY=" + delay + "): add ;WRITE_DELAY=0 to the URL " + url);
                    }
                    String version = connection.getMetaData().getDatabaseProductVersion();
                    if (reusesSpaceUnsafely(version, single(connection, "SELECT SETTING_VALUE FROM"
                            + " INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'REUSE_SPACE'"))) {
                        problems.add("H2 " + version + " writing into reused space of its file lost the last"
                                + " acknowledged commit when its process was killed (raft-jpa-log's crash test):"
                                + " add ;REUSE_SPACE=FALSE to the URL " + url);
                    }
                }
            }
            case POSTGRESQL -> {
                if ("off".equalsIgnoreCase(single(connection, "SHOW fsync"))) {
                    problems.add("PostgreSQL runs with fsync = off");
                }
                if ("off".equalsIgnoreCase(single(connection, "SHOW synchronous_commit"))) {
                    problems.add("PostgreSQL runs with synchronous_commit = off (for this session or server)");
                }
            }
            case MARIADB -> {
                String flush = single(connection, "SELECT @@innodb_flush_log_at_trx_commit");
                if (flush != null && !flush.strip().equals("1")) {
                    problems.add("MariaDB runs with innodb_flush_log_at_trx_commit = " + flush + " (1 is durable)");
                }
            }
        }
        return problems;
    }

    /**
     * H2 2.5.252 with {@code WRITE_DELAY=0} lost the last acknowledged commit after SIGKILL in 7 of 160 and 7 of
     * 130 kills (the test sources' H2KillProbe; JpaRaftLogCrashTest saw it first); with space reuse off (every
     * write appended, the file compacted at a clean close) none in 500, nor 2.4.240 and 2.3.232 with reuse on in
     * 200 each. So from 2.5 on, reuse must be off.
     */
    static boolean reusesSpaceUnsafely(String productVersion, String reuseSpaceSetting) {
        if (reuseSpaceSetting != null && reuseSpaceSetting.strip().equalsIgnoreCase("false")) {
            return false;
        }
        String[] parts = productVersion.strip().split("[ .]");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 2 || major == 2 && minor >= 5;
        } catch (NumberFormatException e) {
            return true; // a version we cannot read: assume the newer behaviour
        }
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
