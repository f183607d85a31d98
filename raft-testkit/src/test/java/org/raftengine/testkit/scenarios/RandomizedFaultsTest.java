package org.raftengine.testkit.scenarios;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.Role;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.testkit.sim.AppliedEntry;
import org.raftengine.testkit.sim.ClientOperation;
import org.raftengine.testkit.sim.InvariantViolation;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;
import org.raftengine.testkit.sim.SimStateMachine;

/**
 * A randomized fault sweep of the real engine on the simulator. Per seed: 3 or 5 nodes, PreVote and
 * CheckQuorum on or off, a faulty network (loss, duplication, reordering, sometimes delays longer than
 * the election timeout), then a fault phase of a few virtual seconds where a schedule drawn from the
 * seed crashes and restarts nodes (the leader too, and sometimes all of them), partitions the network
 * (majority/minority, one-way cuts, single links, the leader isolated) and slows storage down, while
 * clients submit unique commands to the leader and to followers (which forward). Then the heal phase:
 * network faults off, every node up and connected, and LIVE must hold: a leader is elected and a fresh
 * command committed within {@link #LIVE_BOUND}, and every node then catches up with it.
 *
 * <p>The simulator checks ONE-LEADER, MONOTONIC, SAME-APPLY and DURABLE after every step and LOG-MATCH
 * and COMPLETE at the end of every run; at the end of a seed this test also checks that every state
 * machine applied the same commands in the same order, and that no command is in a log (or applied)
 * twice: every payload is unique, so a copy can only come from a duplicated forward.
 *
 * <p>A failure names its seed; the trace is under {@code target/sim-failures/seed-<seed>.txt}.
 * Replay one seed with {@code -Dsim.firstSeed=S -Dsim.seeds=1}; run a longer sweep with
 * {@code -Dsim.seeds=N}; {@code -Dsim.maxFailures=K} (default 5) stops after K failing seeds.
 */
class RandomizedFaultsTest {

    /** Seeds run by default: 25–40 s of wall time on a busy 2-core machine (70–110 seeds/s). */
    private static final int DEFAULT_SEEDS = 2500;
    private static final Duration LIVE_BOUND = Duration.ofSeconds(15);
    private static final Duration CATCH_UP_BOUND = Duration.ofSeconds(10);

    /**
     * The engine logs through System.Logger (java.util.logging here). Its INFO/WARNING lines would flood
     * a long sweep; its ERROR lines (an internal error that halts a node, a leader conflicting with a
     * committed entry) are engine bugs, so they are captured and fail the seed. Kept referenced so the
     * settings stick.
     */
    private static final Logger ENGINE_LOG = Logger.getLogger("org.raftengine");
    private static final List<String> ENGINE_ERRORS = new ArrayList<>();

    static {
        ENGINE_LOG.setLevel(Level.SEVERE);
        ENGINE_LOG.setUseParentHandlers(false);
        ENGINE_LOG.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    String msg = r.getMessage();
                    if (r.getParameters() != null) {
                        msg = java.text.MessageFormat.format(msg, r.getParameters());
                    }
                    synchronized (ENGINE_ERRORS) {
                        ENGINE_ERRORS.add(msg + (r.getThrown() != null ? ": " + r.getThrown() : ""));
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    @Test
    void randomFaultSchedulesKeepSafetyAndLiveness() {
        long first = Long.getLong("sim.firstSeed", 1L);
        int count = Integer.getInteger("sim.seeds", DEFAULT_SEEDS);
        int maxFailures = Integer.getInteger("sim.maxFailures", 5);
        List<String> failures = new ArrayList<>();
        AssertionError firstFailure = null;
        Totals totals = new Totals();
        long started = System.nanoTime();
        int ran = 0;
        for (long seed = first; seed < first + count && failures.size() < maxFailures; seed++) {
            ran++;
            try {
                new Run(seed, totals).execute();
            } catch (AssertionError | RuntimeException e) {
                String headline = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                String line = "seed " + seed + ": " + e.getClass().getSimpleName() + ": " + headline;
                System.out.println("[RandomizedFaultsTest] FAILED " + line);
                failures.add(line);
                if (firstFailure == null) {
                    firstFailure = e instanceof AssertionError a ? a : new AssertionError(e.toString(), e);
                }
            }
        }
        double secs = (System.nanoTime() - started) / 1e9;
        System.out.printf("[RandomizedFaultsTest] %d seeds (%d..%d) in %.1f s: %.1f seeds/s; %s; %d failed%n",
                ran, first, first + ran - 1, secs, ran / secs, totals, failures.size());
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " of " + ran + " seeds failed (replay one with"
                    + " -Dsim.firstSeed=<seed> -Dsim.seeds=1):\n  " + String.join("\n  ", failures)
                    + "\n\nFirst failure:\n" + firstFailure.getMessage(), firstFailure);
            throw e;
        }
    }

    /** Counters over the sweep, to show what the runs did. */
    static final class Totals {
        long virtualMillis;
        long submitted;
        long acknowledged;
        long crashes;
        long partitions;
        long maxLeaderTerm;

        @Override
        public String toString() {
            return String.format("%.0f virtual s, %d commands submitted, %d acknowledged, %d crashes, %d partitions,"
                    + " highest term %d", virtualMillis / 1000.0, submitted, acknowledged, crashes, partitions,
                    maxLeaderTerm);
        }
    }

    /** One seed. */
    private static final class Run {
        private final long seed;
        private final Totals totals;
        private final Random random;
        private final int size;
        private final boolean preVote;
        private final boolean checkQuorum;
        private final boolean allDownAllowed;
        /** Chance in percent, per client tick (10–60 ms), of a fault action. */
        private final int faultRate;
        private final SimCluster cluster;
        private final List<String> ids;
        private final String setup;
        private int nextCommand;

        Run(long seed, Totals totals) {
            this.seed = seed;
            this.totals = totals;
            this.random = new Random(seed);
            this.size = random.nextBoolean() ? 3 : 5;
            // Every four consecutive seeds cover the four PreVote/CheckQuorum combinations.
            int mode = (int) Math.floorMod(seed, 4L);
            this.preVote = (mode & 1) != 0;
            this.checkQuorum = (mode & 2) != 0;
            this.allDownAllowed = random.nextInt(10) == 0;
            this.faultRate = 4 + random.nextInt(20);
            ClusterSettings settings = SimCluster.DEFAULT_SETTINGS.withPreVote(preVote).withCheckQuorum(checkQuorum);
            if (random.nextBoolean()) {
                // Small batches and pipelines: more AppendEntries in flight, more reordering between them.
                settings = settings.withBatching(1 + random.nextInt(8), 1 << 20, 1 + random.nextInt(4));
            }
            if (random.nextInt(4) == 0) {
                // Tight back-pressure: leaders refuse commands (Retry) while followers lag.
                settings = settings.withLimits(300 + random.nextInt(3_000), 2 + random.nextInt(30));
            }
            // A short in-memory tail makes lagging followers be served from storage.
            int[] tails = {0, 2, 16, 1024};
            int maxTail = tails[random.nextInt(tails.length)];
            Duration commandTimeout = random.nextBoolean() ? Duration.ofSeconds(10)
                    : Duration.ofMillis(200 + random.nextInt(2_000));
            this.cluster = SimCluster.builder()
                    .seed(seed)
                    .nodeCount(size)
                    .settings(settings)
                    .configure(c -> c.withMaxTailEntries(maxTail).withCommandTimeout(commandTimeout))
                    .networkFaults(randomFaults())
                    .holdForDownNodes(random.nextInt(5) == 0)
                    .build();
            this.ids = cluster.nodeIds();
            this.setup = "maxUncommittedBytes=" + settings.maxUncommittedBytes() + ", maxApplyBacklog="
                    + settings.maxApplyBacklog() + ", maxEntriesPerAppend=" + settings.maxEntriesPerAppend()
                    + ", maxInflightAppends="
                    + settings.maxInflightAppends() + ", maxTailEntries=" + maxTail + ", commandTimeout="
                    + commandTimeout.toMillis() + "ms, faults " + cluster.network().faults();
        }

        private String describe() {
            return "seed " + seed + " (" + size + " nodes, preVote=" + preVote + ", checkQuorum=" + checkQuorum
                    + (allDownAllowed ? ", all may be down" : "") + ", " + setup + ")";
        }

        void execute() {
            synchronized (ENGINE_ERRORS) {
                ENGINE_ERRORS.clear();
            }
            if (random.nextInt(4) == 0) {
                // Clock skew: safety must not depend on clocks; a leader's clock may run fast or slow.
                for (String id : ids) {
                    cluster.setClockRate(id, 0.7 + random.nextDouble() * 0.6);
                }
            }
            for (String id : ids) {
                if (random.nextInt(3) == 0) {
                    slowStorage(id);
                }
            }
            cluster.start();
            // Now and then a long fault phase, for logs longer than the in-memory tail.
            long faultMillis = random.nextInt(20) == 0 ? 10_000 + random.nextInt(10_000) : 2_000 + random.nextInt(4_000);
            long faultEnd = cluster.now() + Duration.ofMillis(faultMillis).toNanos();
            while (cluster.now() < faultEnd) {
                int clients = random.nextInt(3);
                for (int i = 0; i < clients; i++) {
                    submitRandom();
                }
                if (random.nextInt(100) < faultRate) {
                    fault();
                }
                cluster.runFor(Duration.ofMillis(10 + random.nextInt(50)));
                checkEngineHealthy();
            }
            heal();
            checkLive();
            checkEngineHealthy();
            checkLogsAndApplies();
            totals.virtualMillis += cluster.now() / 1_000_000;
            totals.submitted += cluster.history().size();
            totals.acknowledged += cluster.history().acknowledgedCount();
            for (long term : cluster.invariants().leaders().keySet()) {
                totals.maxLeaderTerm = Math.max(totals.maxLeaderTerm, term);
            }
        }

        // ---- faults ----

        private NetworkFaults randomFaults() {
            double loss = random.nextInt(4) == 0 ? 0 : random.nextDouble() * 0.10;
            double dup = random.nextInt(4) == 0 ? 0 : random.nextDouble() * 0.10;
            long max = 1 + random.nextInt(30);
            if (random.nextInt(8) == 0) {
                // Longer than the election timeout (300–600 ms): elections race their own messages.
                max = 300 + random.nextInt(600);
            }
            return new NetworkFaults(loss, dup, Duration.ofMillis(1), Duration.ofMillis(max));
        }

        private void fault() {
            int kind = random.nextInt(15);
            switch (kind) {
                case 0, 1 -> crash(pick(up()));
                case 2 -> crash(cluster.leader());
                case 3, 4 -> restart();
                case 5 -> {
                    String victim = pick(up());
                    crash(victim);
                    if (victim != null && !cluster.isUp(victim)) {
                        cluster.restart(victim);
                    }
                }
                case 6 -> partitionMajorityMinority();
                case 7 -> {
                    String leader = cluster.leader();
                    if (leader != null) {
                        cluster.network().heal();
                        cluster.network().isolate(leader);
                        totals.partitions++;
                    }
                }
                case 8 -> {
                    String a = pick(ids);
                    String b = pickOther(a);
                    cluster.network().cutOneWay(a, b);
                    totals.partitions++;
                }
                case 9 -> {
                    String a = pick(ids);
                    String b = pickOther(a);
                    cluster.network().cut(a, b);
                    totals.partitions++;
                }
                case 10 -> cluster.network().heal();
                case 11 -> slowStorage(pick(ids));
                case 12 -> {
                    // Writes fail (database down, disk full): the next few, or all of them until the heal.
                    int[] left = {random.nextInt(3) == 0 ? Integer.MAX_VALUE : 1 + random.nextInt(4)};
                    cluster.log(pick(ids)).setWriteFailure(
                            () -> left[0]-- > 0 ? new IllegalStateException("simulated: disk full") : null);
                }
                case 13 -> cluster.stateMachine(pick(ids)).failNextAppliesTransiently(1 + random.nextInt(3));
                default -> cluster.network().setFaults(randomFaults());
            }
        }

        private void crash(String id) {
            if (id == null || !cluster.isUp(id)) {
                return;
            }
            int down = size - up().size();
            int minority = (size - 1) / 2;
            if (down + 1 > minority && !allDownAllowed) {
                return;
            }
            cluster.crash(id);
            totals.crashes++;
        }

        private void restart() {
            List<String> down = new ArrayList<>();
            for (String id : ids) {
                if (!cluster.isUp(id)) {
                    down.add(id);
                }
            }
            String id = pick(down);
            if (id != null) {
                cluster.restart(id);
            }
        }

        private void partitionMajorityMinority() {
            List<String> shuffled = new ArrayList<>(ids);
            Collections.shuffle(shuffled, random);
            int minoritySize = 1 + random.nextInt((size - 1) / 2);
            cluster.network().heal();
            cluster.network().partition(shuffled.subList(0, minoritySize), shuffled.subList(minoritySize, size));
            totals.partitions++;
        }

        private void slowStorage(String id) {
            if (random.nextInt(3) == 0) {
                cluster.setStorageDelay(id, Duration.ZERO, Duration.ZERO);
                return;
            }
            long min = random.nextInt(20);
            long max = min + 1 + random.nextInt(random.nextInt(6) == 0 ? 600 : 100);
            cluster.setStorageDelay(id, Duration.ofMillis(min), Duration.ofMillis(max));
        }

        private List<String> up() {
            List<String> up = new ArrayList<>();
            for (String id : ids) {
                if (cluster.isUp(id)) {
                    up.add(id);
                }
            }
            return up;
        }

        private String pick(List<String> from) {
            return from.isEmpty() ? null : from.get(random.nextInt(from.size()));
        }

        private String pickOther(String a) {
            List<String> others = new ArrayList<>(ids);
            others.remove(a);
            return pick(others);
        }

        // ---- clients ----

        private byte[] freshCommand() {
            return ("c" + seed + "-" + (++nextCommand)).getBytes(StandardCharsets.UTF_8);
        }

        private void submitRandom() {
            String leader = cluster.leader();
            String target = leader != null && random.nextBoolean() ? leader : pick(ids);
            cluster.submit(target, freshCommand());
        }

        // ---- heal and liveness ----

        private void heal() {
            cluster.network().setFaults(NetworkFaults.NONE);
            cluster.network().heal();
            for (String id : ids) {
                cluster.setStorageDelay(id, Duration.ZERO, Duration.ZERO);
                cluster.log(id).setWriteFailure(null);
                cluster.stateMachine(id).failNextAppliesTransiently(0);
                if (!cluster.isUp(id)) {
                    cluster.restart(id);
                }
            }
        }

        /** LIVE: a leader, a fresh command committed through it, and every node catching up. */
        private void checkLive() {
            long healedAt = cluster.now();
            long deadline = healedAt + LIVE_BOUND.toNanos();
            CommandResult.Ok ok = null;
            List<String> attempts = new ArrayList<>();
            while (ok == null && cluster.now() < deadline) {
                String leader = cluster.awaitLeader(Duration.ofNanos(deadline - cluster.now()));
                if (leader == null) {
                    break;
                }
                CompletableFuture<CommandResult> f = cluster.submit(leader, freshCommand()).toCompletableFuture();
                cluster.runUntil(f::isDone, Duration.ofNanos(Math.max(0, deadline - cluster.now())));
                if (!f.isDone()) {
                    attempts.add(leader + " -> no answer");
                    break;
                }
                CommandResult r = f.join();
                attempts.add(leader + " -> " + r);
                if (r instanceof CommandResult.Ok o) {
                    ok = o;
                } else {
                    // Not committed through that leader (it lost leadership meanwhile): let time pass.
                    cluster.runFor(Duration.ofMillis(50));
                }
            }
            if (ok == null) {
                throw InvariantViolation.of(cluster.simulation(), "LIVE", describe() + ": after the heal no command"
                        + " committed within " + LIVE_BOUND.toSeconds() + " s (leader now " + cluster.leader()
                        + "; attempts " + attempts + ")");
            }
            long index = ok.index();
            boolean caughtUp = cluster.runUntil(() -> {
                for (String id : ids) {
                    if (cluster.stateMachine(id).lastApplied() < index) {
                        return false;
                    }
                }
                return true;
            }, CATCH_UP_BOUND);
            if (!caughtUp) {
                StringBuilder applied = new StringBuilder();
                for (String id : ids) {
                    applied.append(' ').append(id).append('=').append(cluster.stateMachine(id).lastApplied());
                }
                throw InvariantViolation.of(cluster.simulation(), "LIVE", describe() + ": command at index " + index
                        + " committed, but not every node applied it within " + CATCH_UP_BOUND.toSeconds()
                        + " s more; applied:" + applied);
            }
        }

        // ---- end-of-run checks ----

        /** A running node that stopped by itself, or an ERROR line of the engine, is an engine bug. */
        private void checkEngineHealthy() {
            synchronized (ENGINE_ERRORS) {
                if (!ENGINE_ERRORS.isEmpty()) {
                    violation("ENGINE-ERROR", String.join("; ", ENGINE_ERRORS));
                }
            }
            for (String id : ids) {
                if (cluster.isUp(id) && cluster.status(id).role() == Role.STOPPED) {
                    violation("ENGINE-ERROR", id + " stopped by itself");
                }
            }
        }

        private void checkLogsAndApplies() {
            long minApplied = Long.MAX_VALUE;
            for (String id : ids) {
                minApplied = Math.min(minApplied, cluster.stateMachine(id).lastApplied());
            }
            List<AppliedEntry> reference = null;
            String referenceId = null;
            for (String id : ids) {
                SimStateMachine sm = cluster.stateMachine(id);
                List<AppliedEntry> prefix = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                long expect = 1;
                for (AppliedEntry e : sm.appliedEntries()) {
                    if (e.index() != expect++) {
                        violation("SAME-APPLY", id + " applied index " + e.index() + " out of order");
                    }
                    if (e.command() != null && !seen.add(text(e.command()))) {
                        violation("ONCE", id + " applied command " + text(e.command()) + " twice (again at index "
                                + e.index() + ")");
                    }
                    if (e.index() <= minApplied) {
                        prefix.add(e);
                    }
                }
                if (reference == null) {
                    reference = prefix;
                    referenceId = id;
                } else if (!reference.equals(prefix)) {
                    violation("SAME-APPLY", id + " and " + referenceId + " applied different sequences up to index "
                            + minApplied + ": " + firstDifference(reference, prefix));
                }
            }
            for (String id : ids) {
                Map<String, Long> at = new HashMap<>();
                for (LogEntry e : cluster.log(id).snapshotEntries()) {
                    if (e.type() != EntryType.COMMAND) {
                        continue;
                    }
                    Long earlier = at.putIfAbsent(text(e.data()), e.index());
                    if (earlier != null) {
                        violation("ONCE", "the log of " + id + " holds command " + text(e.data()) + " twice, at index "
                                + earlier + " and " + e.index());
                    }
                }
            }
            // Retry (and Redirect) promise "certainly not in the log": such a command must never show up.
            Map<String, String> inLogs = new HashMap<>();
            for (String id : ids) {
                for (LogEntry e : cluster.log(id).snapshotEntries()) {
                    if (e.type() == EntryType.COMMAND) {
                        inLogs.putIfAbsent(text(e.data()), id + " index " + e.index() + " term " + e.term());
                    }
                }
                for (AppliedEntry e : cluster.stateMachine(id).appliedEntries()) {
                    if (e.command() != null) {
                        inLogs.putIfAbsent(text(e.command()), id + " applied at index " + e.index());
                    }
                }
            }
            for (ClientOperation op : cluster.history().operations()) {
                CommandResult r = op.result();
                if (r instanceof CommandResult.Retry || r instanceof CommandResult.Redirect) {
                    String where = inLogs.get(text(op.command()));
                    if (where != null) {
                        violation("RETRY-SAFE", op + " was answered " + r + " (certainly not in the log), but the"
                                + " command is in the log of " + where);
                    }
                }
            }
            for (ClientOperation op : cluster.history().acknowledged()) {
                long index = ((CommandResult.Ok) op.result()).index();
                for (String id : ids) {
                    byte[] applied = cluster.stateMachine(id).commandAt(index);
                    if (cluster.stateMachine(id).lastApplied() >= index && !Arrays.equals(applied, op.command())) {
                        violation("DURABLE", op + " acknowledged at index " + index + " but " + id + " applied "
                                + (applied == null ? "nothing" : text(applied)) + " there");
                    }
                }
            }
        }

        private static String firstDifference(List<AppliedEntry> a, List<AppliedEntry> b) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                if (!a.get(i).equals(b.get(i))) {
                    return a.get(i) + " vs " + b.get(i);
                }
            }
            return "lengths " + a.size() + " vs " + b.size();
        }

        private static String text(byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }

        private void violation(String invariant, String detail) {
            throw InvariantViolation.of(cluster.simulation(), invariant, describe() + ": " + detail);
        }
    }

}
