package org.raftengine.jpa;

import org.junit.jupiter.api.BeforeAll;

/** The RaftLog conformance suite on JpaRaftLog, on H2 in a file. */
class H2FileRaftLogConformanceTest extends JpaRaftLogConformance {
    @BeforeAll
    static void open() {
        openDatabase(TestDatabase.Kind.H2);
    }
}
