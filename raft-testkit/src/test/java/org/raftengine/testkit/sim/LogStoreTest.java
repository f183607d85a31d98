package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.raftengine.core.SnapshotPolicy;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;

/** A {@link SimCluster} on a {@link LogStore} other than the default. */
class LogStoreTest {

    /**
     * InMemoryRaftLogs behind a log of another type (so the default {@link LogStore#entries} and the refusal
     * of {@link SimCluster#log} apply), recording what the cluster asked of it.
     */
    private static final class WrappingStore implements LogStore {
        final Map<String, InMemoryRaftLog> storage = new HashMap<>();
        final List<String> calls = new ArrayList<>();
        /** Appends through each log handed out. */
        final Map<RaftLog, int[]> appends = new IdentityHashMap<>();

        @Override
        public RaftLog create(String nodeId, long storageId) {
            calls.add("create " + nodeId);
            storage.put(nodeId, new InMemoryRaftLog(storageId));
            return wrap(nodeId);
        }

        @Override
        public RaftLog reopen(String nodeId, RaftLog crashed) {
            calls.add("reopen " + nodeId);
            return wrap(nodeId);
        }

        @Override
        public RaftLog wipe(String nodeId, RaftLog lost, long storageId) {
            calls.add("wipe " + nodeId);
            storage.put(nodeId, new InMemoryRaftLog(storageId));
            return wrap(nodeId);
        }

        private RaftLog wrap(String nodeId) {
            int[] count = new int[1];
            RaftLog log = new ObservedLog(storage.get(nodeId), (previousTerm, batch) -> count[0]++);
            appends.put(log, count);
            return log;
        }
    }

    /** Crashes, a restart, a wipe, snapshots and a lossy network: every path of the cluster through its store. */
    private static SimCluster run(long seed, LogStore store) {
        SimCluster c = SimCluster.builder().seed(seed).nodeCount(3).logs(store)
                .networkFaults(NetworkFaults.NONE.withLoss(0.05, 0.05).withDelay(Duration.ofMillis(1), Duration.ofMillis(20)))
                .configure(config -> config.withSnapshots(new SnapshotPolicy(15, 0, 3, 64)))
                .build();
        c.invariants().setMajorityCheck(false); // the wiped log holds nothing until it is replicated again
        c.start();
        String leader = c.awaitLeader(Duration.ofSeconds(10));
        assertThat(leader).isNotNull();
        for (int i = 0; i < 40; i++) {
            c.submit(leader, ("a" + i).getBytes(StandardCharsets.UTF_8));
            c.runFor(Duration.ofMillis(20));
        }
        c.crash(leader);
        String next = c.awaitLeader(Duration.ofSeconds(10));
        assertThat(next).isNotNull();
        for (int i = 0; i < 40; i++) {
            c.submit(next, ("b" + i).getBytes(StandardCharsets.UTF_8));
            c.runFor(Duration.ofMillis(20));
        }
        c.restart(leader);
        c.runFor(Duration.ofSeconds(1));
        String third = c.nodeIds().stream().filter(id -> !id.equals(leader) && !id.equals(next)).findFirst().orElseThrow();
        c.wipe(third);
        c.restart(third);
        for (int i = 0; i < 40; i++) {
            c.submit(next, ("c" + i).getBytes(StandardCharsets.UTF_8));
            c.runFor(Duration.ofMillis(20));
        }
        c.runFor(Duration.ofSeconds(3));
        return c;
    }

    @Test
    void aStoreOfAnotherLogTypeReplaysTheDefaultRunExactly() {
        // The cluster must treat a plugged store exactly as its own: the same seed gives the same trace.
        SimCluster plain = run(7, LogStore.inMemory());
        WrappingStore store = new WrappingStore();
        SimCluster wrapped = run(7, store);
        assertThat(plain.snapshotsTaken()).as("the run compacts through the store").isPositive();
        assertThat(plain.history().acknowledgedCount()).isGreaterThan(100);
        assertThat(plain.stateMachine(plain.leader()).values()).hasSize(plain.history().acknowledgedCount());
        assertThat(TraceTable.render(wrapped.simulation().trace())).isEqualTo(TraceTable.render(plain.simulation().trace()));
        assertThat(store.calls).filteredOn(call -> call.startsWith("reopen")).hasSize(2);
        assertThat(store.calls).filteredOn(call -> call.startsWith("wipe")).hasSize(1);
        assertThat(wrapped.logEntries(wrapped.leader())).isNotEmpty();
        for (String id : wrapped.nodeIds()) {
            assertThat(wrapped.logEntries(id)).as(id).isEqualTo(plain.logEntries(id));
        }
    }

    @Test
    void aRestartRunsOnTheLogReopenedAtTheCrash() {
        WrappingStore store = new WrappingStore();
        SimCluster c = SimCluster.builder().seed(3).nodeCount(3).logs(store).build();
        c.start();
        String leader = c.awaitLeader(Duration.ofSeconds(10));
        assertThat(leader).isNotNull();
        RaftLog before = c.raftLog(leader);
        c.crash(leader);
        RaftLog reopened = c.raftLog(leader);
        assertThat(reopened).isNotSameAs(before);
        int appendsBefore = store.appends.get(before)[0];
        c.restart(leader);
        String next = c.awaitLeader(Duration.ofSeconds(10));
        c.submit(next, "x".getBytes(StandardCharsets.UTF_8));
        c.runFor(Duration.ofSeconds(1));
        // The restarted node writes through the reopened log, and nothing more through the crashed one.
        assertThat(c.raftLog(leader)).isSameAs(reopened);
        assertThat(store.appends.get(reopened)[0]).isPositive();
        assertThat(store.appends.get(before)[0]).isEqualTo(appendsBefore);
        assertThat(c.stateMachine(leader).commandsApplied()).isEqualTo(1);
    }

    @Test
    void theInMemoryFaultsAreRefusedOnAnotherLog() {
        SimCluster c = SimCluster.builder().seed(1).nodeCount(3).logs(new WrappingStore()).build();
        assertThatThrownBy(() -> c.log("n2")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("n2").hasMessageContaining("not an InMemoryRaftLog")
                .hasMessageContaining("setWriteFailure");
        assertThat(c.raftLog("n2")).isNotNull();
        assertThat(SimCluster.builder().build().log("n2")).isInstanceOf(InMemoryRaftLog.class);
    }

    @Test
    void theDefaultEntriesLeaveOutACorruptEntryAndKeepTheOthers() {
        InMemoryRaftLog storage = new InMemoryRaftLog(1);
        List<LogEntry> written = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            written.add(LogEntry.command(i, 1, new byte[] {(byte) i}));
        }
        storage.append(written);
        storage.corruptEntry(3);
        RaftLog log = new ObservedLog(storage, (previousTerm, batch) -> { });
        LogStore store = new WrappingStore();
        assertThat(store.entries(log)).containsExactly(written.get(0), written.get(1), written.get(3), written.get(4));
    }
}
