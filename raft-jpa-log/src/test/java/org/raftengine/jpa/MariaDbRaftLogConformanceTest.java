package org.raftengine.jpa;

import org.junit.jupiter.api.BeforeAll;

/** The RaftLog conformance suite on JpaRaftLog, on MariaDb. */
class MariaDbRaftLogConformanceTest extends JpaRaftLogConformance {
    @BeforeAll
    static void open() {
        openDatabase(TestDatabase.Kind.MARIADB);
    }
}
