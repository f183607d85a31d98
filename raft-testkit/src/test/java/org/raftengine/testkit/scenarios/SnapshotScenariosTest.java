package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.raftengine.core.LogBrokenException;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.Role;
import org.raftengine.core.SnapshotPolicy;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.nemesis.LogLinearizability;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;

/**
 * Snapshots, compaction and InstallSnapshot on the simulator (RELIABILITY 31, 32 and 33): the invariants
 * run after every step, a restore's state is checked against what the replicas applied (SAME-APPLY), and
 * each scenario ends with identical state machines and a linearizable history.
 */
class SnapshotScenariosTest {

    /** A snapshot every 40 entries, 10 kept behind it, chunks of 64 bytes: transfers of many chunks. */
    private static final SnapshotPolicy SMALL = new SnapshotPolicy(40, 0, 10, 64);

    private static SimCluster cluster(long seed, int nodes, SnapshotPolicy policy, NetworkFaults faults) {
        return SimCluster.builder().seed(seed).nodeCount(nodes).networkFaults(faults)
                .configure(c -> c.withSnapshots(policy)).build();
    }

    /** Submits {@code count} commands to whoever leads, one every 10 ms, then lets the cluster settle. */
    private static void write(SimCluster c, String tag, int count) {
        for (int i = 0; i < count; i++) {
            String leader = c.leader();
            if (leader != null) {
                c.submit(leader, bytes(tag + "-" + i));
            }
            c.runFor(Duration.ofMillis(10));
        }
        c.runFor(seconds(1));
    }

    /** Every running node applied the same values, the history is linearizable and the logs check out. */
    private static void assertConverged(SimCluster c) {
        assertThat(c.runUntil(() -> {
            String leader = c.leader();
            if (leader == null) {
                return false;
            }
            long applied = c.status(leader).appliedIndex();
            return c.nodeIds().stream().allMatch(id -> !c.isUp(id) || c.status(id).appliedIndex() == applied);
        }, seconds(20))).as("every node caught up").isTrue();
        String leader = c.leader();
        for (String id : c.nodeIds()) {
            if (c.isUp(id)) {
                assertThat(c.stateMachine(id).values()).as(id).isEqualTo(c.stateMachine(leader).values());
            }
        }
        CheckResult lin = LogLinearizability.check(c.history(), 2_000_000);
        assertThat(lin.isLinearizable()).as(lin.toString()).isTrue();
    }

    /** Starts the cluster and cuts a follower off while {@code count} commands are written; returns the leader and it. */
    private static String[] cutOffAFollowerWhileWriting(SimCluster c, int count) {
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String lagging = Scenarios.others(c, leader).get(0);
        c.network().isolate(lagging);
        write(c, "old", count);
        return new String[] {leader, lagging};
    }

    /**
     * Starts the cluster, cuts a follower off while the others write and compact past it, heals, and runs until
     * three chunks of the snapshot went to it (and it has installed none yet). Returns the leader and the follower.
     */
    private static String[] startTransferToALaggingFollower(SimCluster c) {
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String lagging = Scenarios.others(c, leader).get(0);
        c.network().isolate(lagging);
        write(c, "before", 200);
        AtomicInteger chunks = new AtomicInteger();
        c.network().addSendListener(m -> {
            if (m instanceof InstallSnapshot s && s.to().equals(lagging)) {
                chunks.incrementAndGet();
            }
        });
        c.network().heal();
        assertThat(c.runUntil(() -> chunks.get() >= 3, seconds(10))).as("the transfer started").isTrue();
        assertThat(c.node(lagging).snapshotsInstalled()).as("and is not done yet").isZero();
        return new String[] {leader, lagging};
    }

    @Test
    @DisplayName("automatic snapshots on every node under load: logs compacted, replicas identical")
    void automaticSnapshotsEverywhere() {
        SimCluster c = cluster(901, 3, SMALL, NetworkFaults.NONE);
        c.start();
        Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "auto", 300);
        for (String id : c.nodeIds()) {
            assertThat(c.node(id).snapshotsTaken()).as(id + " took snapshots").isGreaterThanOrEqualTo(5);
            assertThat(c.log(id).firstIndex()).as(id + " compacted its log").isGreaterThan(200);
            assertThat(c.log(id).snapshot()).as(id).isNotNull();
        }
        assertConverged(c);
    }

    @Test
    @DisplayName("33: a follower cut off while the log is compacted past it gets the snapshot, with the configuration")
    void followerBehindCompactionGetsSnapshot() {
        SimCluster c = cluster(933, 3, SMALL, NetworkFaults.NONE);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String lagging = Scenarios.others(c, leader).get(0);
        c.network().isolate(lagging);
        write(c, "while-away", 200);
        assertThat(c.log(leader).firstIndex()).as("the leader compacted past the follower")
                .isGreaterThan(c.status(lagging).lastIndex() + 1);
        c.network().heal();
        write(c, "after", 20);
        assertThat(c.node(lagging).snapshotsInstalled()).isGreaterThanOrEqualTo(1);
        assertThat(c.log(lagging).snapshot().configuration().members()).hasSize(3);
        assertConverged(c);
        // It keeps up by entries afterwards, and can lead: the configuration came with the snapshot.
        c.crash(leader);
        String next = c.awaitLeader(seconds(10));
        assertThat(next).isNotNull();
        write(c, "next", 20);
        c.restart(leader);
        assertConverged(c);
    }

    @Test
    @DisplayName("32: chunks lost, duplicated and reordered: the follower ends with the snapshot's state, never a mix")
    void chunksLostDuplicatedReordered() {
        NetworkFaults faults = NetworkFaults.NONE.withLoss(0.2, 0.2).withDelay(Duration.ofMillis(1), Duration.ofMillis(30));
        SimCluster c = cluster(932, 3, SMALL, faults);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(20));
        assertThat(leader).isNotNull();
        String lagging = Scenarios.others(c, leader).get(1);
        c.network().isolate(lagging);
        write(c, "lossy", 200);
        c.network().heal();
        assertThat(c.runUntil(() -> c.node(lagging).snapshotsInstalled() >= 1, seconds(60))).isTrue();
        c.network().setFaults(NetworkFaults.NONE);
        write(c, "calm", 10);
        assertConverged(c);
    }

    @Test
    @DisplayName("31: the leader crashes mid-transfer: a new leader completes the follower's catch-up")
    void leaderCrashesMidTransfer() {
        SimCluster c = cluster(931, 3, SMALL, NetworkFaults.NONE.withDelay(Duration.ofMillis(5), Duration.ofMillis(5)));
        String[] roles = startTransferToALaggingFollower(c);
        String leader = roles[0];
        String lagging = roles[1];
        c.crash(leader);
        write(c, "after", 50);
        assertThat(c.node(lagging).snapshotsInstalled()).isGreaterThanOrEqualTo(1);
        c.restart(leader);
        assertConverged(c);
    }

    @Test
    @DisplayName("32: the follower restarts mid-install: the transfer starts over cleanly")
    void followerRestartsMidInstall() {
        SimCluster c = cluster(935, 3, SMALL, NetworkFaults.NONE.withDelay(Duration.ofMillis(5), Duration.ofMillis(5)));
        String lagging = startTransferToALaggingFollower(c)[1];
        c.crash(lagging);
        c.runFor(seconds(1));
        c.restart(lagging);
        write(c, "after", 30);
        assertThat(c.node(lagging).snapshotsInstalled()).isGreaterThanOrEqualTo(1);
        assertConverged(c);
    }

    @Test
    @DisplayName("takeSnapshot on demand compacts a node whose policy takes none automatically")
    void onDemandSnapshot() {
        SimCluster c = cluster(936, 3, SMALL.onDemandOnly(), NetworkFaults.NONE);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "demand", 100);
        assertThat(c.node(leader).snapshotsTaken()).isZero();
        var taken = c.node(leader).takeSnapshot().toCompletableFuture();
        c.runFor(seconds(1));
        assertThat(taken).isCompleted();
        assertThat(taken.join().index()).isEqualTo(c.status(leader).appliedIndex());
        assertThat(c.log(leader).firstIndex()).isGreaterThan(1);
        assertConverged(c);
    }

    @Test
    @DisplayName("defaults: no node takes a snapshot before 100,000 entries (RaftNodeConfig.of)")
    void defaultPolicy() {
        assertThat(RaftNodeConfig.of("n1", "c").snapshots()).isEqualTo(SnapshotPolicy.DEFAULTS);
    }

    @Test
    @DisplayName("17: a corrupted entry in a follower's storage: it refuses to start, names why, and the rest serve on")
    void corruptedEntryOnAFollower() {
        SimCluster c = cluster(917, 3, SnapshotPolicy.DEFAULTS, NetworkFaults.NONE);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String follower = Scenarios.others(c, leader).get(0);
        write(c, "before", 30);
        c.crash(follower);
        c.log(follower).corruptEntry(12);

        assertThatThrownBy(() -> c.restart(follower)).isInstanceOf(LogBrokenException.class)
                .hasMessageContaining("fails a checksum").hasMessageContaining("entry 12");
        assertThat(c.log(follower).isBroken()).as("marked broken, durably").isTrue();
        assertThat(c.isUp(follower)).isFalse();
        write(c, "after", 30);
        assertThat(c.stateMachine(leader).values()).hasSize(60);
    }

    @Test
    @DisplayName("17: a leader's stored entries are corrupt: it stops rather than serve them, another leader does")
    void corruptedEntriesOnTheLeader() {
        SimCluster c = SimCluster.builder().seed(918).nodeCount(3)
                .configure(cfg -> cfg.withMaxTailEntries(0)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String lagging = Scenarios.others(c, leader).get(0);
        c.network().isolate(lagging);
        write(c, "while-away", 40);
        // The corruption takes one of the two copies of the entries the lagging node lacks: until the new
        // leader re-replicates them, fewer than a majority hold them (checked again at the end).
        c.invariants().setMajorityCheck(false);
        c.log(leader).corruptEntry(c.status(lagging).lastIndex() + 1);
        c.network().heal();
        assertThat(c.runUntil(() -> c.log(leader).isBroken(), seconds(10))).as("the leader marks its log broken")
                .isTrue();
        assertThat(c.log(leader).brokenReason()).contains("checksum");
        assertThat(c.runUntil(() -> c.leader() != null && !c.leader().equals(leader), seconds(10))).isTrue();
        String next = c.leader();
        assertThat(c.status(leader).role()).as("the damaged leader stopped").isEqualTo(Role.STOPPED);
        write(c, "after", 10);
        assertThat(c.stateMachine(lagging).values()).isEqualTo(c.stateMachine(next).values()).hasSize(50);
        c.invariants().setMajorityCheck(true);
        c.invariants().checkLogs();
    }

    @Test
    @DisplayName("17: the leader's stored snapshot is corrupt: never installed; a new snapshot replaces it")
    void corruptedSnapshotOnTheLeader() {
        SimCluster c = cluster(919, 3, SMALL.onDemandOnly(), NetworkFaults.NONE);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String lagging = Scenarios.others(c, leader).get(0);
        c.network().isolate(lagging);
        write(c, "while-away", 40);
        var taken = c.node(leader).takeSnapshot().toCompletableFuture();
        c.runFor(seconds(1));
        long corruptIndex = taken.join().index();
        assertThat(c.log(leader).firstIndex()).isGreaterThan(c.status(lagging).lastIndex() + 1);
        c.log(leader).corruptSnapshot();
        c.network().heal();

        assertThat(c.runUntil(() -> c.node(lagging).snapshotsInstalled() >= 1, seconds(10))).isTrue();
        assertThat(c.log(lagging).snapshot().index()).as("the replacement, not the corrupt one")
                .isGreaterThan(corruptIndex);
        assertThat(c.log(leader).snapshot().index()).isGreaterThan(corruptIndex);
        assertConverged(c);
    }

    @Test
    @DisplayName("a newer snapshot supersedes a transfer in progress, and the leader serves everyone else meanwhile")
    void newerSnapshotSupersedesTransfer() {
        // Chunks of 16 bytes, 5 ms each way: a transfer of the first snapshot takes about a second.
        SimCluster c = cluster(937, 3, new SnapshotPolicy(0, 0, 0, 16),
                NetworkFaults.NONE.withDelay(Duration.ofMillis(5), Duration.ofMillis(5)));
        String[] roles = cutOffAFollowerWhileWriting(c, 150);
        String leader = roles[0];
        String lagging = roles[1];
        var firstTaken = c.node(leader).takeSnapshot().toCompletableFuture();
        c.runFor(Duration.ofMillis(200));
        long first = firstTaken.join().index();
        AtomicInteger chunksOfFirst = new AtomicInteger();
        c.network().addSendListener(m -> {
            if (m instanceof InstallSnapshot s && s.to().equals(lagging) && s.index() == first) {
                chunksOfFirst.incrementAndGet();
            }
        });
        c.network().heal();
        assertThat(c.runUntil(() -> chunksOfFirst.get() >= 3, seconds(10))).as("the first transfer started").isTrue();
        int acknowledged = c.history().acknowledgedCount();
        for (int i = 0; i < 5; i++) {
            c.submit(leader, bytes("meanwhile-" + i));
        }
        c.runFor(Duration.ofMillis(100));
        assertThat(c.history().acknowledgedCount() - acknowledged).as("commits go on during the transfer")
                .isEqualTo(5);
        var second = c.node(leader).takeSnapshot().toCompletableFuture();
        c.runFor(Duration.ofMillis(100));
        assertThat(second).as("the second snapshot is taken").isCompleted();
        assertThat(second.join().index()).isGreaterThan(first);
        assertThat(c.node(lagging).snapshotsInstalled()).as("before the first transfer ended").isZero();

        assertThat(c.runUntil(() -> c.node(lagging).snapshotsInstalled() >= 1, seconds(30))).isTrue();
        assertThat(c.log(lagging).snapshot().index()).as("the newer snapshot, not a mix")
                .isEqualTo(second.join().index());
        assertConverged(c);
    }

    @Test
    @DisplayName("17: a node that must restore a corrupted stored snapshot at start refuses to, naming why")
    void corruptedSnapshotAtRestart() {
        SimCluster c = cluster(920, 3, SMALL, NetworkFaults.NONE);
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String follower = Scenarios.others(c, leader).get(0);
        write(c, "before", 100);
        assertThat(c.log(follower).firstIndex()).as("compacted: a restart needs the snapshot").isGreaterThan(1);
        c.crash(follower);
        c.loseStateMachine(follower);
        c.log(follower).corruptSnapshot(); // the last byte: inside the state, past what a reader checks itself

        assertThatThrownBy(() -> c.restart(follower)).isInstanceOf(LogBrokenException.class)
                .hasMessageContaining("checksum");
        assertThat(c.stateMachine(follower).lastApplied()).as("nothing restored").isZero();
        write(c, "after", 20);
        assertThat(c.stateMachine(leader).values()).hasSize(120);
    }

    @Test
    @DisplayName("33: a transfer slower than the snapshot interval still ends: automatic snapshots wait for it")
    void transferSlowerThanTheSnapshotInterval() {
        // A snapshot every 20 entries, chunks of 16 bytes with 5 ms each way: a transfer of the state takes
        // far longer than 20 entries do at one every 10 ms.
        SimCluster c = cluster(938, 3, new SnapshotPolicy(20, 0, 0, 16),
                NetworkFaults.NONE.withDelay(Duration.ofMillis(5), Duration.ofMillis(5)));
        String lagging = cutOffAFollowerWhileWriting(c, 150)[1];
        c.network().heal();
        int i = 0;
        while (c.node(lagging).snapshotsInstalled() == 0 && i < 3_000) {
            c.submit(c.leader(), bytes("load-" + i++));
            c.runFor(Duration.ofMillis(10));
        }
        assertThat(c.node(lagging).snapshotsInstalled()).as("installed while the load went on (%d commands)", i)
                .isGreaterThanOrEqualTo(1);
        assertConverged(c);
    }
}
