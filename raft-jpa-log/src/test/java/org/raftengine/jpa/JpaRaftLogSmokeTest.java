package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;

class JpaRaftLogSmokeTest {
    @Test
    void appendsReadsAndReopensOnH2() {
        try (TestDatabase db = TestDatabase.open(TestDatabase.Kind.H2, "smoke", true)) {
            JpaRaftLog log = db.newLog();
            log.append(List.of(LogEntry.command(1, 1, new byte[] {1}), LogEntry.command(2, 1, new byte[] {2})));
            log.saveHardState(new HardState(3, "b"));
            JpaRaftLog again = db.reopen(log);
            assertThat(again.read(1, 2, Long.MAX_VALUE)).containsExactlyElementsOf(log.read(1, 2, Long.MAX_VALUE));
            assertThat(again.hardState()).isEqualTo(new HardState(3, "b"));
            assertThat(again.storageId()).isEqualTo(log.storageId());
        }
    }
}
