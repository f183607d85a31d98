package org.raftengine.jpa;

import org.junit.jupiter.api.BeforeAll;

/** The RaftLog conformance suite on JpaRaftLog, on PostgreSql. */
class PostgreSqlRaftLogConformanceTest extends JpaRaftLogConformance {
    @BeforeAll
    static void open() {
        openDatabase(TestDatabase.Kind.POSTGRESQL);
    }
}
