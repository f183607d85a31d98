package org.raftengine.jpa;

import org.junit.jupiter.api.BeforeAll;

/** The RaftLog conformance suite on JpaRaftLog, on H2 in a file, with resource-local transactions (Java SE). */
class H2ResourceLocalRaftLogConformanceTest extends JpaRaftLogConformance {
    @BeforeAll
    static void open() {
        openResourceLocalDatabase(TestDatabase.Kind.H2);
    }
}
