package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.Role;
import org.raftengine.core.SnapshotPolicy;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.lin.LinearizabilityChecker;
import org.raftengine.testkit.nemesis.LogLinearizability;
import org.raftengine.testkit.sim.InvariantViolation;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;
import org.raftengine.testkit.sim.SimStateMachine;
import org.raftengine.testkit.sim.TraceTable;

/**
 * Three simulated nodes (raft-testkit's {@link SimCluster}: virtual time on one thread, the safety invariants
 * checked after every step) whose logs are {@link JpaRaftLog}s in one H2 file database, under one cluster id:
 * client commands and reads, a lossy network that is partitioned now and then, and nodes crashed and restarted
 * over and over, each restart on its log opened again from the database. Then the heal: the cluster must commit
 * again, every node catch up, and the client history be linearizable.
 *
 * <p>A failure names the seed, and writes the run's trace under {@code target/sim-failures/}.
 */
class JpaClusterSimulationTest {

    /** Virtual time of the fault phase of one run. */
    private static final Duration FAULT_PHASE = Duration.ofSeconds(10);

    private static TestDatabase db;
    /** Kept referenced: java.util.logging holds loggers weakly, and the handler must stay on this one. */
    private static final Logger ENGINE_LOG = Logger.getLogger("org.raftengine");
    /** The engine's and the log's warnings and errors during the current run. */
    private static final List<String> WARNINGS = new ArrayList<>();
    private static final Handler WARNING_HANDLER = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (WARNINGS) {
                    WARNINGS.add(r.getLoggerName() + ": " + new SimpleFormatter().formatMessage(r)
                            + (r.getThrown() != null ? " (" + r.getThrown() + ")" : ""));
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void openDatabase() {
        db = TestDatabase.open(TestDatabase.Kind.H2, "cluster-sim", true);
        ENGINE_LOG.addHandler(WARNING_HANDLER);
    }

    @AfterAll
    static void closeDatabase() {
        ENGINE_LOG.removeHandler(WARNING_HANDLER);
        if (db != null) {
            db.close();
        }
    }

    /** The seeds of the runs without snapshots: {@code -Djpa.sim.firstSeed=S -Djpa.sim.seeds=N} sweeps more. */
    static LongStream seeds() {
        long first = Long.getLong("jpa.sim.firstSeed", 1L);
        return LongStream.range(first, first + Integer.getInteger("jpa.sim.seeds", 8));
    }

    /** The seeds of the runs with snapshots: {@code -Djpa.sim.snapshotSeeds=N} from the same first seed. */
    static LongStream snapshotSeeds() {
        long first = Long.getLong("jpa.sim.firstSeed", 1L);
        return LongStream.range(first, first + Integer.getInteger("jpa.sim.snapshotSeeds", 4));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void crashesRestartsAndPartitionsKeepSafetyAndLinearizability(long seed) {
        Outcome o = new Run(seed, null).execute();
        assertThat(o.crashes).as("crashes").isGreaterThanOrEqualTo(5);
        assertThat(o.reopened).as("logs reopened from the database").isEqualTo(o.crashes);
        assertThat(o.acknowledged).as("commands committed through the crashes").isGreaterThanOrEqualTo(10);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("snapshotSeeds")
    void snapshotsCompactAndInstallThroughTheJpaLog(long seed) {
        // Small thresholds, 512 B transfer chunks and 1 KiB rows: snapshots of several rows, taken, sent and
        // restored over and over.
        Outcome o = new Run(seed, new SnapshotPolicy(10, 0, 2, 512)).execute();
        assertThat(o.crashes).as("crashes").isGreaterThanOrEqualTo(5);
        assertThat(o.snapshotsTaken).as("snapshots taken").isGreaterThanOrEqualTo(3);
        assertThat(o.snapshotsInstalled).as("snapshots installed from the leader").isPositive();
        assertThat(o.rebuiltFromStoredSnapshot).as("restarts that rebuilt the state machine from the snapshot read"
                + " back from the database").isPositive();
        assertThat(o.minFirstIndex).as("every log compacted").isGreaterThan(1);
    }

    @Test
    void aSeedReplaysTheSameRunOnTheDatabase() {
        // A failing seed is only worth reporting if it replays: nothing of the database may leak into the run.
        Run first = new Run(3, null);
        first.execute();
        Run again = new Run(3, null);
        again.execute();
        assertThat(TraceTable.render(again.cluster.simulation().trace()))
                .isEqualTo(TraceTable.render(first.cluster.simulation().trace()));
    }

    @Test
    void aWipedNodeGetsNewStorageInTheSharedDatabase() {
        JpaLogStore store = new JpaLogStore(db, "jpa-sim-wipe", 1024);
        SimCluster c = SimCluster.builder().seed(21).nodeCount(3).clusterId(store.clusterId()).logs(store).build();
        c.invariants().setMajorityCheck(false); // the wiped log holds none of the acknowledged commands
        c.start();
        String leader = c.awaitLeader(Duration.ofSeconds(10));
        assertThat(leader).isNotNull();
        c.submit(leader, "before".getBytes(StandardCharsets.UTF_8));
        c.runFor(Duration.ofSeconds(1));
        String victim = c.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        long oldStorage = c.raftLog(victim).storageId();
        assertThat(c.raftLog(victim).lastIndex()).isPositive();
        c.wipe(victim);
        RaftLog wiped = c.raftLog(victim);
        assertThat(wiped.storageId()).isNotEqualTo(oldStorage);
        assertThat(wiped.lastIndex()).isZero();
        assertThat(wiped.hardState().term()).isZero();
        // The rows in the database are the new storage's, not the old one's left behind.
        JpaRaftLog fromDatabase = store.open(victim);
        assertThat(fromDatabase.storageId()).isEqualTo(wiped.storageId());
        assertThat(fromDatabase.lastIndex()).isZero();
        // The other two nodes, in the same database, kept theirs, and still commit.
        c.submit(leader, "after".getBytes(StandardCharsets.UTF_8));
        c.runFor(Duration.ofSeconds(1));
        assertThat(c.history().acknowledgedCount()).isEqualTo(2);
        for (String id : c.nodeIds()) {
            if (!id.equals(victim)) {
                assertThat(store.open(id).lastIndex()).as(id).isEqualTo(c.status(id).lastIndex()).isPositive();
            }
        }
    }

    /** What a run did, once it passed every check. */
    private record Outcome(int crashes, int reopened, int acknowledged, long snapshotsTaken, long snapshotsInstalled,
                           int rebuiltFromStoredSnapshot, long minFirstIndex) {
    }

    /** One seed: everything the run does is drawn from it, so the seed replays the run. */
    private static final class Run {
        private final long seed;
        private final Random random;
        private final JpaLogStore store;
        private final SimCluster cluster;
        private final List<String> ids;
        private final boolean snapshotsOn;
        private int crashes;
        private int nextCommand;
        /** The node that is down, and when it comes back (virtual nanoseconds); one at a time, a majority stays. */
        private String down;
        private long restartAt;
        private long nextCrashAt;
        /** State machines lost in a crash, with the index of the snapshot their node's log held at the restart. */
        private final Map<SimStateMachine, Long> rebuilt = new IdentityHashMap<>();

        Run(long seed, SnapshotPolicy snapshots) {
            this.seed = seed;
            this.random = new Random(seed);
            this.store = new JpaLogStore(db, (snapshots != null ? "jpa-sim-snap-" : "jpa-sim-") + seed, 1024);
            // Every four consecutive seeds cover the four PreVote/CheckQuorum combinations.
            boolean preVote = (seed & 1) != 0;
            boolean checkQuorum = (seed & 2) != 0;
            ClusterSettings settings = SimCluster.DEFAULT_SETTINGS.withPreVote(preVote).withCheckQuorum(checkQuorum);
            if (random.nextBoolean()) {
                // Small batches and pipelines: more appends, each a transaction, and more of them in flight.
                settings = settings.withBatching(1 + random.nextInt(8), 1 << 20, 1 + random.nextInt(4));
            }
            // A short in-memory tail: a leader reads what a lagging follower needs from the database.
            int maxTail = new int[] {0, 2, 16, 1024}[random.nextInt(4)];
            NetworkFaults faults = randomFaults();
            this.cluster = SimCluster.builder()
                    .seed(seed)
                    .nodeCount(3)
                    .clusterId(store.clusterId())
                    .logs(store)
                    .settings(settings)
                    .networkFaults(faults)
                    .configure(c -> c.withCommandTimeout(Duration.ofSeconds(2)).withMaxTailEntries(maxTail)
                            .withSnapshots(snapshots != null ? snapshots : SnapshotPolicy.DEFAULTS))
                    .build();
            this.ids = cluster.nodeIds();
            this.snapshotsOn = snapshots != null;
        }

        Outcome execute() {
            try {
                return phases();
            } catch (RuntimeException e) {
                // A database call of the test itself (a reopen) failed: reported with the seed and trace all the same.
                throw InvariantViolation.of(cluster.simulation(), "NO-EXCEPTION", "JPA logs, " + e, e);
            }
        }

        private Outcome phases() {
            long started = System.nanoTime();
            synchronized (WARNINGS) {
                WARNINGS.clear();
            }
            cluster.start();
            long end = cluster.now() + FAULT_PHASE.toNanos();
            nextCrashAt = cluster.now() + millis(300, 700);
            while (cluster.now() < end) {
                int clients = random.nextInt(3);
                for (int i = 0; i < clients; i++) {
                    submit();
                }
                crashOrRestart();
                if (random.nextInt(100) < 8) {
                    networkFault();
                }
                if (snapshotsOn && random.nextInt(100) < 3) {
                    // On demand too, besides the threshold: at any point of a transfer or a compaction.
                    String id = ids.get(random.nextInt(ids.size()));
                    if (cluster.isUp(id)) {
                        cluster.node(id).takeSnapshot();
                    }
                }
                cluster.runFor(Duration.ofMillis(10 + random.nextInt(50)));
            }
            heal();
            long index = commitAfterHeal();
            // Forwarded commands may still commit after it: wait for every node to have applied the same index.
            boolean caughtUp = cluster.runUntil(() -> ids.stream()
                    .allMatch(id -> cluster.stateMachine(id).lastApplied() >= index
                            && cluster.stateMachine(id).lastApplied() == cluster.stateMachine(ids.get(0)).lastApplied()),
                    Duration.ofSeconds(10));
            check(caughtUp, "LIVE", "the nodes did not all apply index " + index + " and stop at the same index"
                    + " within 10 s of its commit");
            checkNodesHealthy();
            synchronized (WARNINGS) {
                // The database was up the whole run: no call of the log may have failed, nor the engine complained.
                check(WARNINGS.isEmpty(), "NO-WARNING", WARNINGS.size() + " warnings and errors logged: " + WARNINGS);
            }
            checkSameState();
            checkLinearizable();
            long minFirst = Long.MAX_VALUE;
            for (String id : ids) {
                minFirst = Math.min(minFirst, cluster.raftLog(id).firstIndex());
            }
            // The first restore of a state machine lost in a crash brings the snapshot its log held: read back
            // from the database by the log reopened there (a later snapshot would have come from the leader).
            int fromStored = 0;
            for (Map.Entry<SimStateMachine, Long> e : rebuilt.entrySet()) {
                List<SimStateMachine.Restore> restores = e.getKey().restores();
                if (!restores.isEmpty() && restores.get(0).index() == e.getValue()) {
                    fromStored++;
                }
            }
            Outcome o = new Outcome(crashes, store.reopened(), cluster.history().acknowledgedCount(),
                    cluster.snapshotsTaken(), cluster.snapshotsInstalled(), fromStored, minFirst);
            System.out.printf(Locale.ROOT, "[JpaClusterSimulationTest] seed %d: %.1f s wall, %d ms virtual, %s%n", seed,
                    (System.nanoTime() - started) / 1e9, cluster.now() / 1_000_000, o);
            return o;
        }

        private long millis(int min, int max) {
            return Duration.ofMillis(min + random.nextInt(max - min + 1)).toNanos();
        }

        private NetworkFaults randomFaults() {
            return new NetworkFaults(random.nextDouble() * 0.05, random.nextDouble() * 0.05, Duration.ofMillis(1),
                    Duration.ofMillis(1 + random.nextInt(20)));
        }

        private void submit() {
            String leader = cluster.leader();
            String target = leader != null && random.nextBoolean() ? leader : ids.get(random.nextInt(ids.size()));
            // A read goes through the log too: the checker sees the list of commands as of its place.
            String text = (random.nextInt(4) == 0 ? "?r" : "c") + seed + "-" + (++nextCommand);
            cluster.submit(target, text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * A crash every 300–700 ms (the leader half of the time), the node down for 50–1000 ms; now and then
         * its state machine, kept in memory, is lost with it and rebuilt from the log (and the snapshot).
         */
        private void crashOrRestart() {
            if (down != null && cluster.now() >= restartAt) {
                if (random.nextInt(3) == 0) {
                    cluster.loseStateMachine(down);
                    SnapshotMeta stored = cluster.raftLog(down).snapshot();
                    if (stored != null) {
                        rebuilt.put(cluster.stateMachine(down), stored.index());
                    }
                }
                cluster.restart(down);
                down = null;
                nextCrashAt = cluster.now() + millis(300, 700);
            } else if (down == null && cluster.now() >= nextCrashAt) {
                String leader = cluster.leader();
                String victim = leader != null && random.nextBoolean() ? leader : ids.get(random.nextInt(ids.size()));
                cluster.crash(victim);
                crashes++;
                List<String> mismatches = store.mismatches();
                check(mismatches.isEmpty(), "REOPEN", "the log reopened from the database differs from the"
                        + " crashed one: " + mismatches);
                down = victim;
                restartAt = cluster.now() + millis(50, 1000);
            }
        }

        private void networkFault() {
            String a = ids.get(random.nextInt(ids.size()));
            String b = ids.get((ids.indexOf(a) + 1 + random.nextInt(ids.size() - 1)) % ids.size());
            switch (random.nextInt(5)) {
                case 0 -> {
                    String leader = cluster.leader();
                    if (leader != null) {
                        cluster.network().heal();
                        cluster.network().isolate(leader);
                    }
                }
                case 1 -> cluster.network().cut(a, b);
                case 2 -> cluster.network().cutOneWay(a, b);
                case 3 -> cluster.network().setFaults(randomFaults());
                default -> cluster.network().heal();
            }
        }

        private void heal() {
            cluster.network().setFaults(NetworkFaults.NONE);
            cluster.network().heal();
            if (down != null) {
                cluster.restart(down);
                down = null;
            }
        }

        /** LIVE: a command committed within 10 s of the heal. */
        private long commitAfterHeal() {
            long deadline = cluster.now() + Duration.ofSeconds(10).toNanos();
            List<String> attempts = new ArrayList<>();
            while (cluster.now() < deadline) {
                String leader = cluster.awaitLeader(Duration.ofNanos(deadline - cluster.now()));
                if (leader == null) {
                    break;
                }
                CompletableFuture<CommandResult> f = cluster.submit(leader,
                        ("c" + seed + "-" + (++nextCommand)).getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
                cluster.runUntil(f::isDone, Duration.ofNanos(Math.max(0, deadline - cluster.now())));
                CommandResult r = f.getNow(null);
                attempts.add(leader + " -> " + r);
                if (r instanceof CommandResult.Ok ok) {
                    return ok.index();
                }
                cluster.runFor(Duration.ofMillis(50));
            }
            throw violation("LIVE", "no command committed within 10 s of the heal: " + attempts);
        }

        /** A node that stopped by itself, or a log marked broken: the database was up the whole run. */
        private void checkNodesHealthy() {
            for (String id : ids) {
                RaftLog log = cluster.raftLog(id);
                check(!log.isBroken(), "HEALTHY", id + "'s log was marked broken: " + log.brokenReason());
                check(cluster.status(id).role() != Role.STOPPED, "HEALTHY", id + " stopped by itself");
            }
        }

        /** Every replica holds the same commands, in the same order. */
        private void checkSameState() {
            List<String> first = cluster.stateMachine(ids.get(0)).values();
            for (String id : ids) {
                check(cluster.stateMachine(id).values().equals(first), "SAME-STATE", id + " holds "
                        + cluster.stateMachine(id).values() + " but " + ids.get(0) + " holds " + first);
            }
        }

        private void checkLinearizable() {
            CheckResult r;
            try {
                r = LogLinearizability.check(cluster.history(), LinearizabilityChecker.DEFAULT_MAX_STEPS_PER_PARTITION);
            } catch (IllegalArgumentException wrongAnswer) {
                throw violation("LINEARIZABLE", wrongAnswer.getMessage());
            }
            check(r instanceof CheckResult.Linearizable, "LINEARIZABLE", "the client history ("
                    + cluster.history().size() + " operations) is not found linearizable: " + r);
        }

        private void check(boolean holds, String invariant, String detail) {
            if (!holds) {
                throw violation(invariant, detail);
            }
        }

        /** The failure with the seed and the trace, written out as the simulator's own violations are. */
        private InvariantViolation violation(String invariant, String detail) {
            return InvariantViolation.of(cluster.simulation(), invariant, "JPA logs, " + detail);
        }
    }
}
