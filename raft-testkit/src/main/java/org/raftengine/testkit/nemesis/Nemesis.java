package org.raftengine.testkit.nemesis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.SnapshotPolicy;
import org.raftengine.core.CommandResult;
import org.raftengine.core.Role;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.lin.LinearizabilityChecker;
import org.raftengine.testkit.sim.AppliedEntry;
import org.raftengine.testkit.sim.ClientOperation;
import org.raftengine.testkit.sim.EntryCommands;
import org.raftengine.testkit.sim.InvariantViolation;
import org.raftengine.testkit.sim.NetworkFaults;
import org.raftengine.testkit.sim.SimCluster;
import org.raftengine.testkit.sim.SimStateMachine;

/**
 * A randomized fault schedule for the real engine on the simulator, one run per seed.
 *
 * <p>Per seed, everything is drawn from the seed: the cluster size (1, 3 or 5 nodes, or forced by
 * {@link Options#nodes}), PreVote and CheckQuorum (every four consecutive seeds cover the four
 * combinations), batching, back-pressure limits, the in-memory tail length, the command timeout, a
 * faulty network (loss, duplication, reordering, sometimes delays longer than the election timeout),
 * clock skew and slow storage. Then a fault phase of a few virtual seconds (now and then 10–20 s)
 * where a schedule drawn from the seed crashes and restarts nodes (the leader too, and in some seeds
 * all of them), partitions the network (majority/minority, the leader isolated, single links cut one
 * way or both, bridge partitions: two halves that share one bridge node, and ring partitions: each
 * node sees only its two ring neighbours), slows storage down, makes storage writes and applies fail,
 * and changes the network faults, while clients submit unique commands to the leader and to followers
 * (which forward); from mix V7 on, membership changes too (spares added, members removed, the leader among them,
 * learners added and promoted) and PreVote turned on or off through the log. Then the heal: network faults off,
 * every node up and connected.
 *
 * <p>Checked: ONE-LEADER, ONE-VOTE, LOG-MATCH, COMPLETE, MONOTONIC, SAME-APPLY and DURABLE after every
 * simulated step, LOG-MATCH and DURABLE's majority check over whole logs at the end of every run phase
 * (the simulator's {@code Invariants}); engine
 * ERROR log lines and nodes that stop by themselves (ENGINE-ERROR); after the heal LIVE (a leader is
 * elected and a fresh command committed within {@link #liveBound}, and every member of the leader's
 * configuration then applies it within {@link #CATCH_UP_BOUND}: spares never added and removed nodes are not
 * expected to); then every state machine applied the same commands in order
 * (SAME-APPLY), no command is in a log or applied twice (ONCE), a command answered Retry or Redirect
 * never shows up in a log (RETRY-SAFE), an acknowledged command is what every node applied at its
 * index (DURABLE), and the client history is linearizable (LINEARIZABLE; see
 * {@link LogLinearizability}). A run stops at its first violation.
 *
 * <p>{@link #run} never throws for a violation: it returns a {@link SeedResult} carrying the
 * {@link InvariantViolation}, whose trace is written as a table and as a PlantUML diagram under
 * {@code target/sim-failures/} (relative to the working directory). The same seed and options replay
 * the run exactly, on the same engine.
 *
 * <p>How a seed maps to a schedule is versioned by {@link Mix}: a frozen failing seed stays the same
 * scenario when the fault menu grows, as long as it is replayed with the mix that found it.
 *
 * <pre>{@code
 * SeedResult r = Nemesis.run(42, Nemesis.Options.DEFAULTS);
 * if (!r.passed()) {
 *     System.out.println(r.headline() + "\n  " + r.traceFile() + "\n  " + r.diagramFile());
 * }
 * }</pre>
 */
public final class Nemesis {

    /**
     * With PreVote and CheckQuorum both on, a command must commit within this much virtual time after
     * the heal (LIVE): a storage that failed may wait out its longest retry back-off (5 s) before it
     * writes again, then a few election timeouts (at most 600 ms each in the sweep). Seen over the
     * 5,000 such seeds of 1..20000: at most 5.0 s, 99% within 1.2 s ({@code bin/simulate} prints this line).
     */
    public static final Duration LIVE_BOUND_PREVOTE_CHECKQUORUM = Duration.ofSeconds(10);
    /**
     * Plain Raft (PreVote or CheckQuorum off): without PreVote a node that campaigned while cut off comes
     * back with an inflated term and deposes the leader, and without CheckQuorum a stale leader lingers
     * until it hears the new term; each can cost more elections, so the bound is looser. Seen over
     * the 15,000 such seeds of 1..20000: at most 5.0 s, 99% within 1.3 s.
     */
    public static final Duration LIVE_BOUND = Duration.ofSeconds(15);
    /** After that commit, every node must apply it within this much more virtual time (LIVE). */
    public static final Duration CATCH_UP_BOUND = Duration.ofSeconds(10);
    /**
     * Default search budget of the linearizability check, in checker steps (deterministic, unlike a time
     * limit): the checker's own default. Histories of the sweep mostly take well under a million steps;
     * about one seed in a thousand needs a few million.
     */
    public static final long DEFAULT_LINEARIZABILITY_BUDGET = LinearizabilityChecker.DEFAULT_MAX_STEPS_PER_PARTITION;

    /**
     * How a seed is turned into a schedule. The random draws of a mix never change once released, so a
     * seed replays the same schedule (on the same engine); a new fault menu is a new mix.
     */
    public enum Mix {
        /**
         * The first sweep: 3 or 5 nodes; crashes, restarts, majority/minority partitions, leader
         * isolation, one-way and two-way link cuts, slow and failing storage, failing applies, network
         * fault changes. The frozen seeds 320 to 19810 were found with it.
         */
        V1,
        /** V1 plus single-node clusters, bridge partitions and ring partitions. */
        V2,
        /** V2 plus clients that read (through the log) as well as write. */
        V3,
        /**
         * V3 plus snapshots: small automatic thresholds, few trailing entries and small chunks (so
         * compaction, InstallSnapshot and restores happen in most seeds), snapshots on demand, and
         * restarts that lose the state machine (rebuilt from the snapshot and the log).
         */
        V4,
        /**
         * V4 plus client sessions: session clients, one command at a time each, that re-submit a command under
         * its sequence after an indeterminate outcome or no answer, through any node (so duplicates reach
         * the log across leader changes, besides the forwards the engine re-sends and the network
         * duplicates); in a quarter of the seeds a short session time-out, so sessions expire.
         */
        V5,
        /**
         * V5 plus leadership transfers (to a named voter, or to the most up-to-date one) among the fault actions,
         * and linearizable reads (ReadIndex, on the leader and on followers) beside the reads through the log, in
         * the same client history; in half the seeds leaders serve them on a lease when they may.
         */
        V6,
        /**
         * V6 plus membership changes among the fault actions: spare nodes (0 to 2, 1 or 2 beside a single node)
         * that run with empty storage outside the configuration; adding a spare or a removed node as a voter
         * (learner first, caught up, promoted) or as a learner, promoting a learner, removing a voter (the leader
         * itself now and then) or a learner, down to one voter; and, unless the seed runs with PreVote and
         * CheckQuorum both on (whose LIVE bound assumes them), PreVote turned on or off through the log. The
         * default.
         */
        V7;

        /** The mix new sweeps use. */
        public static final Mix LATEST = V7;

        /** The name on the command line: {@code v1}, {@code v2}. */
        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The mix named {@code v1}, {@code V2}, .... */
        public static Mix parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /**
     * How to run seeds.
     *
     * @param mix                   how a seed maps to a schedule
     * @param nodes                 the cluster size, or 0 to draw it from the seed (the seed's other
     *                              draws are unchanged by forcing it)
     * @param checkLinearizability  whether to check the client history of each seed
     * @param linearizabilityBudget the checker's step budget; a history it cannot decide within it is
     *                              skipped, with a note, not counted as a violation
     * @param breaches              Raft rules every node deliberately breaks (tests of the checkers only)
     * @param reported              the invariants that fail a run (empty: all); the others are still run
     * @param batchingStateMachines every node's state machine applies each batch in one atomic step (see
     *                              {@link org.raftengine.core.spi.StateMachine#appliesInBatches()}); the seed then
     *                              also draws whether they keep outcomes, commits that fail as well as applies,
     *                              and clients submit commands the state machines reject. The other draws of a
     *                              seed stay as without it, up to the first of those.
     */
    public record Options(Mix mix, int nodes, boolean checkLinearizability, long linearizabilityBudget,
                          Set<RuleBreach> breaches, Set<String> reported, boolean batchingStateMachines) {

        /** The latest mix, sizes drawn from the seed, linearizability checked with the default budget. */
        public static final Options DEFAULTS = new Options(Mix.LATEST, 0, true, DEFAULT_LINEARIZABILITY_BUDGET,
                Set.of(), Set.of(), false);

        public Options {
            Objects.requireNonNull(mix, "mix");
            if (nodes < 0 || nodes > 9) {
                throw new IllegalArgumentException("nodes must be 0 (drawn) or 1..9: " + nodes);
            }
            if (linearizabilityBudget <= 0) {
                throw new IllegalArgumentException("linearizabilityBudget must be positive");
            }
            breaches = Set.copyOf(breaches);
            reported = Set.copyOf(reported);
        }

        /** These options with another mix. */
        public Options withMix(Mix m) {
            return new Options(m, nodes, checkLinearizability, linearizabilityBudget, breaches, reported,
                    batchingStateMachines);
        }

        /** These options with the cluster size forced to {@code n} (0: drawn from the seed). */
        public Options withNodes(int n) {
            return new Options(mix, n, checkLinearizability, linearizabilityBudget, breaches, reported,
                    batchingStateMachines);
        }

        /** These options with the linearizability check on or off. */
        public Options withLinearizability(boolean on) {
            return new Options(mix, nodes, on, linearizabilityBudget, breaches, reported,
                    batchingStateMachines);
        }

        /** These options with another linearizability budget. */
        public Options withLinearizabilityBudget(long steps) {
            return new Options(mix, nodes, checkLinearizability, steps, breaches, reported,
                    batchingStateMachines);
        }

        /** These options with every node breaking {@code rules} (see {@link RuleBreach}). */
        public Options withBreaches(Set<RuleBreach> rules) {
            return new Options(mix, nodes, checkLinearizability, linearizabilityBudget, rules, reported,
                    batchingStateMachines);
        }

        /** These options with only {@code invariants} failing a run (empty: all of them). */
        public Options reportingOnly(Set<String> invariants) {
            return new Options(mix, nodes, checkLinearizability, linearizabilityBudget, breaches, invariants,
                    batchingStateMachines);
        }

        /** These options with state machines that apply in batches, or not. */
        public Options withBatchingStateMachines(boolean on) {
            return new Options(mix, nodes, checkLinearizability, linearizabilityBudget, breaches, reported, on);
        }

        /** The {@code bin/simulate} flags that select these options (empty for the defaults). */
        public String commandLineFlags() {
            StringBuilder sb = new StringBuilder();
            if (nodes > 0) {
                sb.append(" --nodes ").append(nodes);
            }
            if (mix != Mix.LATEST) {
                sb.append(" --mix ").append(mix.flag());
            }
            if (!checkLinearizability) {
                sb.append(" --no-lin");
            }
            if (linearizabilityBudget != DEFAULT_LINEARIZABILITY_BUDGET) {
                sb.append(" --lin-budget ").append(linearizabilityBudget);
            }
            for (RuleBreach b : new TreeSet<>(breaches)) {
                sb.append(" --breach ").append(b);
            }
            if (!reported.isEmpty()) {
                sb.append(" --only ").append(String.join(",", new TreeSet<>(reported)));
            }
            if (batchingStateMachines) {
                sb.append(" --batching");
            }
            return sb.toString();
        }
    }

    private Nemesis() {
    }

    /** The LIVE bound for these settings. */
    public static Duration liveBound(boolean preVote, boolean checkQuorum) {
        return preVote && checkQuorum ? LIVE_BOUND_PREVOTE_CHECKQUORUM : LIVE_BOUND;
    }

    /** Runs {@code seed} with {@link Options#DEFAULTS}. */
    public static SeedResult run(long seed) {
        return run(seed, Options.DEFAULTS);
    }

    /**
     * Runs one seed. Never throws for a violation (nor for an exception out of the engine, which counts
     * as one, NO-EXCEPTION): the result carries it. Safe to call from several threads at once, each
     * running its own seed.
     */
    public static SeedResult run(long seed, Options options) {
        Objects.requireNonNull(options, "options");
        List<String> engineErrors = EngineErrors.begin();
        try {
            return new Run(seed, options, engineErrors).execute();
        } finally {
            EngineErrors.end();
        }
    }

    /** One seed. */
    private static final class Run {
        private final long seed;
        private final Options options;
        private final Mix mix;
        private final List<String> engineErrors;
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
        private long crashes;
        private long partitions;
        /** V6: leadership transfers asked for. */
        private long transfersAsked;
        /** V7: membership and settings changes asked for. */
        private long membershipAsked;
        private long settingsAsked;
        /** V7: the settings the cluster was bootstrapped with, of which PreVote is turned on or off. */
        private final ClusterSettings baseSettings;
        /** V7: whether PreVote may be changed through the log (not with PreVote and CheckQuorum both on). */
        private final boolean settingsChanges;
        /** V7: the voters of the configuration a leader last showed (the bootstrap members at first). */
        private List<String> knownVoters;
        private SeedResult.Linearizability linearizability = SeedResult.Linearizability.NOT_CHECKED;
        private String linearizabilityNote = "not checked";
        private long liveMillis = -1;
        /** V5: the session clients. */
        private final List<SessionClient> sessionClients = new ArrayList<>();
        private final Duration commandTimeout;
        /** The state machines apply in batches (see {@link Options#batchingStateMachines}). */
        private final boolean batching;

        Run(long seed, Options options, List<String> engineErrors) {
            this.seed = seed;
            this.options = options;
            this.mix = options.mix();
            this.engineErrors = engineErrors;
            this.random = new Random(seed);
            int drawn = drawSize();
            this.size = options.nodes() > 0 ? options.nodes() : drawn;
            // Every four consecutive seeds cover the four PreVote/CheckQuorum combinations.
            int mode = (int) Math.floorMod(seed, 4L);
            this.preVote = (mode & 1) != 0;
            this.checkQuorum = (mode & 2) != 0;
            // A single node can only be crashed by taking all down: let half of the single-node seeds do it.
            this.allDownAllowed = random.nextInt(10) < (mix != Mix.V1 && size == 1 ? 5 : 1);
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
            NetworkFaults faults = randomFaults();
            // Drawn after everything older mixes draw, so their seeds replay unchanged.
            SnapshotPolicy snapshots = mix.compareTo(Mix.V4) >= 0
                    ? new SnapshotPolicy(random.nextInt(4) == 0 ? 0 : 10 + random.nextInt(200), 0,
                            random.nextInt(3) == 0 ? 0 : random.nextInt(30), 16 + random.nextInt(500))
                    : SnapshotPolicy.DEFAULTS;
            int sessions = 0;
            if (mix.compareTo(Mix.V5) >= 0) {
                sessions = 1 + random.nextInt(3);
                if (random.nextInt(4) == 0) {
                    // Sessions expire within the run: their clients meet Refused and open new ones.
                    settings = settings.withSessionTimeout(settings.electionTimeoutMaxMillis() + random.nextInt(3_000));
                }
            }
            // Only with batching state machines, so the seeds of the others replay unchanged.
            this.batching = options.batchingStateMachines();
            boolean keepOutcomes = batching && random.nextBoolean();
            // V6: in half the seeds with CheckQuorum, leaders serve reads on a lease when they may.
            boolean leaseReads = mix.compareTo(Mix.V6) >= 0 && random.nextBoolean() && checkQuorum;
            settings = settings.withLeaseReads(leaseReads);
            // V7: spare nodes outside the configuration, drawn after everything older mixes draw.
            int spareCount = mix.compareTo(Mix.V7) >= 0 ? (size == 1 ? 1 + random.nextInt(2) : random.nextInt(3)) : 0;
            String[] spares = new String[spareCount];
            for (int i = 0; i < spareCount; i++) {
                spares[i] = "n" + (size + 1 + i);
            }
            this.settingsChanges = mix.compareTo(Mix.V7) >= 0 && !(preVote && checkQuorum);
            this.baseSettings = settings;
            this.commandTimeout = commandTimeout;
            this.cluster = SimCluster.builder()
                    .seed(seed)
                    .nodeCount(size)
                    .spares(spares)
                    .settings(settings)
                    .configure(c -> c.withMaxTailEntries(maxTail).withCommandTimeout(commandTimeout)
                            .withSnapshots(snapshots))
                    .breakingRules(options.breaches())
                    .networkFaults(faults)
                    .holdForDownNodes(random.nextInt(5) == 0)
                    .stateMachinesApplyInBatches(batching)
                    .stateMachinesKeepOutcomes(keepOutcomes)
                    .build();
            this.ids = cluster.nodeIds();
            this.knownVoters = cluster.initialMembers();
            if (!options.reported().isEmpty()) {
                cluster.invariants().reportOnly(options.reported());
            }
            this.setup = mix.flag() + ", " + size + (size == 1 ? " node" : " nodes") + ", preVote=" + preVote
                    + ", checkQuorum=" + checkQuorum + (allDownAllowed ? ", all may be down" : "")
                    + ", maxUncommittedBytes=" + settings.maxUncommittedBytes() + ", maxApplyBacklog="
                    + settings.maxApplyBacklog() + ", maxEntriesPerAppend=" + settings.maxEntriesPerAppend()
                    + ", maxInflightAppends=" + settings.maxInflightAppends() + ", maxTailEntries=" + maxTail
                    + ", commandTimeout=" + commandTimeout.toMillis() + "ms, faults " + cluster.network().faults()
                    + (mix.compareTo(Mix.V4) >= 0 ? ", snapshots every " + snapshots.thresholdEntries() + " entries, "
                    + snapshots.trailingEntries() + " trailing, chunks of " + snapshots.chunkBytes() + " B" : "")
                    + (sessions > 0 ? ", " + sessions + " session clients, sessionTimeout="
                    + settings.sessionTimeoutMillis() + "ms" : "")
                    + (batching ? ", state machines apply in batches" + (keepOutcomes ? " and keep outcomes" : "")
                    : "") + (leaseReads ? ", lease reads" : "")
                    + (spareCount > 0 ? ", " + spareCount + (spareCount == 1 ? " spare" : " spares") : "")
                    + (settingsChanges ? ", PreVote changed through the log" : "");
            for (int i = 0; i < sessions; i++) {
                sessionClients.add(new SessionClient(i));
            }
        }

        private int drawSize() {
            if (mix == Mix.V1) {
                return random.nextBoolean() ? 3 : 5;
            }
            int r = random.nextInt(20);
            return r < 3 ? 1 : r < 11 ? 3 : 5;
        }

        private String describe() {
            return "seed " + seed + " (" + setup + ")";
        }

        /**
         * Session commands submitted more than once that were answered Ok: applied once (ONCE checks no node
         * applied a command twice) and answered with the one result (LINEARIZABLE checks it).
         */
        private long duplicateSubmitsAppliedOnce() {
            long n = 0;
            for (ClientOperation o : cluster.history().operations()) {
                if (o.attempts() > 1 && o.isOk()) {
                    n++;
                }
            }
            return n;
        }

        SeedResult execute() {
            InvariantViolation violation = null;
            try {
                phases();
            } catch (InvariantViolation v) {
                violation = v;
            } catch (RuntimeException | AssertionError | StackOverflowError e) {
                violation = InvariantViolation.of(cluster.simulation(), "NO-EXCEPTION", describe() + ": " + e, e);
            }
            if (violation != null && linearizability == SeedResult.Linearizability.NOT_CHECKED) {
                linearizabilityNote = "not checked: the seed failed first";
            }
            long committed = 0;
            for (String id : ids) {
                committed = Math.max(committed, cluster.stateMachine(id).commandsApplied());
            }
            long highestTerm = 0;
            for (long term : cluster.invariants().leaders().keySet()) {
                highestTerm = Math.max(highestTerm, term);
            }
            SeedResult.Steps steps = SeedResult.Steps.NONE;
            for (String id : ids) {
                SimStateMachine sm = cluster.stateMachine(id);
                steps = new SeedResult.Steps(steps.committed() + sm.stepsCommitted(),
                        steps.discarded() + sm.stepsDiscarded(), Math.max(steps.largest(), sm.largestStep()));
            }
            return new SeedResult(seed, options, size, setup, violation, cluster.history().size(),
                    cluster.history().acknowledgedCount(), committed, cluster.invariants().leaders().size(),
                    crashes, partitions, cluster.now() / 1_000_000, highestTerm, linearizability,
                    linearizabilityNote, preVote, checkQuorum, liveMillis, cluster.snapshotsTaken(),
                    cluster.snapshotsInstalled(), duplicateSubmitsAppliedOnce(), steps, transfersAsked,
                    cluster.transfersDone(), cluster.readsServed(), cluster.leaseReads(), membershipAsked,
                    cluster.membershipChangesDone(), settingsAsked, cluster.settingsChangesDone());
        }

        private void phases() {
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
                for (SessionClient c : sessionClients) { // none before V5: older mixes draw nothing here
                    c.tick();
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
            checkReads();
            checkLinearizable();
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
            int kind = random.nextInt(mix == Mix.V1 ? 15 : mix.compareTo(Mix.V4) < 0 ? 17
                    : mix.compareTo(Mix.V6) < 0 ? 19 : mix == Mix.V6 ? 21 : 25);
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
                    if (leader != null && ids.size() > 1) {
                        cluster.network().heal();
                        cluster.network().isolate(leader);
                        partitions++;
                    }
                }
                case 8 -> {
                    String a = pick(ids);
                    String b = pickOther(a);
                    if (b != null) {
                        cluster.network().cutOneWay(a, b);
                        partitions++;
                    }
                }
                case 9 -> {
                    String a = pick(ids);
                    String b = pickOther(a);
                    if (b != null) {
                        cluster.network().cut(a, b);
                        partitions++;
                    }
                }
                case 10 -> cluster.network().heal();
                case 11 -> slowStorage(pick(ids));
                case 12 -> {
                    // Writes fail (database down, disk full): the next few, or all of them until the heal.
                    int[] left = {random.nextInt(3) == 0 ? Integer.MAX_VALUE : 1 + random.nextInt(4)};
                    cluster.log(pick(ids)).setWriteFailure(
                            () -> left[0]-- > 0 ? new IllegalStateException("simulated: disk full") : null);
                }
                case 13 -> {
                    SimStateMachine sm = cluster.stateMachine(pick(ids));
                    if (batching && random.nextBoolean()) {
                        sm.failNextCommits(1 + random.nextInt(3)); // the database fails at the commit
                    } else {
                        sm.failNextAppliesTransiently(1 + random.nextInt(3));
                    }
                }
                case 14 -> cluster.network().setFaults(randomFaults());
                case 15 -> partitionBridge();
                case 16 -> partitionRing();
                case 17 -> {
                    String id = pick(up());
                    if (id != null) {
                        cluster.node(id).takeSnapshot();
                    }
                }
                case 18 -> {
                    // A restart that loses the state machine kept in memory: rebuilt from the snapshot and log.
                    String victim = pick(up());
                    crash(victim);
                    if (victim != null && !cluster.isUp(victim)) {
                        cluster.loseStateMachine(victim);
                        cluster.restart(victim);
                    }
                }
                case 19, 20 -> {
                    // A leadership transfer: to a voter named at random (perhaps down, cut off or lagging), or,
                    // every other time, to the most up-to-date one. Asked of the leader, or now and then of a
                    // node that does not lead (it must answer NotLeader).
                    String leader = cluster.leader();
                    String asked = leader != null && random.nextInt(8) != 0 ? leader : pick(ids);
                    String target = kind == 19 ? pickOther(asked) : null;
                    if (asked != null) {
                        cluster.transferLeadership(asked, target);
                        transfersAsked++;
                    }
                }
                case 21, 22, 23 -> changeMembership();
                case 24 -> {
                    if (settingsChanges) {
                        changeSettings();
                    } else {
                        changeMembership();
                    }
                }
                default -> throw new IllegalStateException("fault kind " + kind);
            }
        }

        private void crash(String id) {
            if (id == null || !cluster.isUp(id)) {
                return;
            }
            if (mix.compareTo(Mix.V7) >= 0) {
                // Members change: at most a minority of the voters down (other nodes may go down freely).
                List<String> voters = voters();
                if (voters.contains(id) && !allDownAllowed) {
                    int down = 0;
                    for (String v : voters) {
                        if (!cluster.isUp(v)) {
                            down++;
                        }
                    }
                    if (down + 1 > (voters.size() - 1) / 2) {
                        return;
                    }
                }
                cluster.crash(id);
                crashes++;
                return;
            }
            int down = size - up().size();
            int minority = (size - 1) / 2;
            if (down + 1 > minority && !allDownAllowed) {
                return;
            }
            cluster.crash(id);
            crashes++;
        }

        /** V7: the voters as the leader sees them, or as a leader last showed them. */
        private List<String> voters() {
            String leader = cluster.leader();
            if (leader != null) {
                List<String> now = cluster.status(leader).voters();
                if (!now.isEmpty()) {
                    knownVoters = now;
                }
            }
            return knownVoters;
        }

        /**
         * The voters and learners of the leader's configuration; with no leader, of the configuration in the log of
         * the running node whose log is the longest.
         */
        private List<String> members() {
            String leader = cluster.leader();
            List<String> members = new ArrayList<>();
            if (leader != null) {
                members.addAll(cluster.status(leader).voters());
                members.addAll(cluster.status(leader).learners());
            } else {
                String longest = null;
                for (String id : up()) {
                    if (longest == null || cluster.status(id).lastIndex() > cluster.status(longest).lastIndex()) {
                        longest = id;
                    }
                }
                org.raftengine.core.ClusterConfiguration c = longest == null ? null : cluster.configuration(longest);
                if (c != null) {
                    c.members().forEach(m -> members.add(m.id()));
                }
            }
            return members.isEmpty() ? ids : members;
        }

        /**
         * V7: a membership change asked of the leader (now and then of any node, which must answer NotLeader): a
         * non-member (a spare, or a node removed earlier) added as a voter or as a learner, a learner promoted, a
         * voter removed (the leader itself one time in three), or a learner removed. Down to one voter.
         */
        private void changeMembership() {
            String leader = cluster.leader();
            String asked = leader != null && random.nextInt(8) != 0 ? leader : pick(ids);
            List<String> voters = voters();
            List<String> learners = leader != null ? cluster.status(leader).learners() : List.of();
            List<String> outside = new ArrayList<>();
            for (String id : ids) {
                if (!voters.contains(id) && !learners.contains(id)) {
                    outside.add(id);
                }
            }
            int what = random.nextInt(6);
            String target;
            switch (what) {
                case 0, 1 -> { // a voter added: a learner first, caught up, promoted
                    target = pick(outside);
                    if (target != null) {
                        cluster.addVoter(asked, target);
                    }
                }
                case 2 -> {
                    target = pick(outside);
                    if (target != null) {
                        cluster.addLearner(asked, target);
                    }
                }
                case 3 -> { // a learner promoted
                    target = pick(learners);
                    if (target != null) {
                        cluster.addVoter(asked, target);
                    }
                }
                case 4 -> {
                    target = leader != null && voters.contains(leader) && random.nextInt(3) == 0 ? leader
                            : pick(voters);
                    if (target != null && voters.size() > 1) {
                        cluster.removeMember(asked, target);
                    } else {
                        target = null;
                    }
                }
                default -> {
                    target = pick(learners);
                    if (target != null) {
                        cluster.removeMember(asked, target);
                    }
                }
            }
            if (target != null && asked != null) {
                membershipAsked++;
            }
        }

        /** V7: PreVote turned on or off through the log, asked as a membership change is. */
        private void changeSettings() {
            String leader = cluster.leader();
            String asked = leader != null && random.nextInt(8) != 0 ? leader : pick(ids);
            boolean on = random.nextBoolean();
            if (asked != null) {
                cluster.updateSettings(asked, baseSettings.withPreVote(on));
                settingsAsked++;
            }
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
            int n = ids.size(); // the size before V7, which adds spares
            if (n < 2) {
                return;
            }
            List<String> shuffled = new ArrayList<>(ids);
            Collections.shuffle(shuffled, random);
            int minoritySize = 1 + random.nextInt(Math.max(1, (n - 1) / 2));
            cluster.network().heal();
            cluster.network().partition(shuffled.subList(0, minoritySize), shuffled.subList(minoritySize, n));
            partitions++;
        }

        /** Two halves that do not see each other, and one bridge node that sees both (3 nodes: a triangle). */
        private void partitionBridge() {
            int n = ids.size();
            if (n < 3) {
                return;
            }
            List<String> shuffled = new ArrayList<>(ids);
            Collections.shuffle(shuffled, random);
            String bridge = shuffled.get(0);
            int half = (n - 1) / 2;
            cluster.network().heal();
            cluster.network().bridge(shuffled.subList(1, 1 + half), bridge, shuffled.subList(1 + half, n));
            partitions++;
        }

        /** Each node sees only its two neighbours on a random ring; three nodes or fewer get a bridge. */
        private void partitionRing() {
            if (ids.size() < 4) {
                partitionBridge();
                return;
            }
            List<String> ring = new ArrayList<>(ids);
            Collections.shuffle(ring, random);
            cluster.network().heal();
            cluster.network().ring(ring);
            partitions++;
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

        /**
         * A client's write: a fresh command; with batching state machines, one in six is one they reject
         * ({@link SimStateMachine#REJECT_MARKER}), so rejections abort steps.
         */
        private byte[] freshWrite() {
            if (batching && random.nextInt(6) == 0) {
                return ((char) SimStateMachine.REJECT_MARKER + "c" + seed + "-" + (++nextCommand))
                        .getBytes(StandardCharsets.UTF_8);
            }
            return freshCommand();
        }

        private void submitRandom() {
            String leader = cluster.leader();
            String target = leader != null && random.nextBoolean() ? leader : pick(ids);
            boolean read = mix.compareTo(Mix.V3) >= 0 && random.nextInt(4) == 0;
            if (read && mix.compareTo(Mix.V6) >= 0 && random.nextInt(3) != 0) {
                cluster.read(target); // ReadIndex, on whichever node the client picked
                return;
            }
            cluster.submit(target, read ? freshRead() : freshWrite());
        }

        /**
         * A client with a session (V5): one command at a time; after an indeterminate outcome, or no answer
         * past the command time-out (its node crashed), it submits the same command again under the same
         * sequence, through any node; after a Refused (its session expired) it opens a new session.
         */
        private final class SessionClient {
            private final int number;
            private int generation;
            private String clientId;
            private long sequence;
            private ClientOperation op;
            private byte[] command;
            private long lastAttemptNanos;

            SessionClient(int number) {
                this.number = number;
                this.clientId = "s" + seed + "-" + number + "-0";
            }

            void tick() {
                if (random.nextBoolean()) {
                    return;
                }
                String leader = cluster.leader();
                String target = leader != null && random.nextBoolean() ? leader : pick(ids);
                if (op == null || !op.isIndeterminate()) {
                    if (op != null && op.result() instanceof CommandResult.Refused) {
                        clientId = "s" + seed + "-" + number + "-" + (++generation);
                        sequence = 0;
                    }
                    command = freshWrite();
                    op = cluster.submitSession(target, clientId, ++sequence, command, null);
                    lastAttemptNanos = cluster.now();
                } else if (op.isComplete()
                        || cluster.now() - lastAttemptNanos > commandTimeout.toNanos() + 1_000_000_000L) {
                    cluster.submitSession(target, clientId, sequence, command, op);
                    lastAttemptNanos = cluster.now();
                }
            }
        }

        /** A read through the log: the list of commands applied, as of its place in the log. */
        private byte[] freshRead() {
            return ("?r" + seed + "-" + (++nextCommand)).getBytes(StandardCharsets.UTF_8);
        }

        // ---- heal and liveness ----

        private void heal() {
            cluster.network().setFaults(NetworkFaults.NONE);
            cluster.network().heal();
            for (String id : ids) {
                cluster.setStorageDelay(id, Duration.ZERO, Duration.ZERO);
                cluster.log(id).setWriteFailure(null);
                cluster.stateMachine(id).failNextAppliesTransiently(0);
                cluster.stateMachine(id).failNextCommits(0);
                if (!cluster.isUp(id)) {
                    cluster.restart(id);
                }
            }
        }

        /** LIVE: a leader, a fresh command committed through it, and every node catching up. */
        private void checkLive() {
            long healedAt = cluster.now();
            Duration bound = liveBound(preVote, checkQuorum);
            long deadline = healedAt + bound.toNanos();
            CommandResult.Ok ok = null;
            List<String> attempts = new ArrayList<>();
            while (ok == null && cluster.now() < deadline) {
                String leader = cluster.awaitLeader(Duration.ofNanos(deadline - cluster.now()));
                if (leader == null) {
                    break;
                }
                CompletableFuture<CommandResult> f = cluster.submit(leader, freshCommand()).toCompletableFuture();
                if (mix.compareTo(Mix.V7) >= 0) {
                    // A leader that removed itself learns no more commits: its command may stay unanswered until
                    // its time-out. Once another node leads, the client tries there.
                    String asked = leader;
                    cluster.runUntil(() -> f.isDone() || (cluster.leader() != null && !asked.equals(cluster.leader())
                            && !cluster.status(asked).isVoter()), Duration.ofNanos(Math.max(0, deadline - cluster.now())));
                    if (!f.isDone() && cluster.now() < deadline) {
                        attempts.add(leader + " -> no answer yet, removed; " + cluster.leader() + " leads");
                        continue;
                    }
                } else {
                    cluster.runUntil(f::isDone, Duration.ofNanos(Math.max(0, deadline - cluster.now())));
                }
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
                violation("LIVE", "after the heal no command committed within " + bound.toSeconds()
                        + " s (leader now " + cluster.leader() + "; attempts " + attempts + "); nodes: " + nodesNow());
                return; // LIVE not reported (Options.reported): nothing more to check here
            }
            liveMillis = (cluster.now() - healedAt) / 1_000_000;
            long index = ok.index();
            // Members of the configuration only (before V7, every node): spares and removed nodes stay behind.
            List<String> members = mix.compareTo(Mix.V7) >= 0 ? members() : ids;
            boolean caughtUp = cluster.runUntil(() -> {
                for (String id : members) {
                    if (cluster.stateMachine(id).lastApplied() < index) {
                        return false;
                    }
                }
                return true;
            }, CATCH_UP_BOUND);
            if (!caughtUp) {
                StringBuilder applied = new StringBuilder();
                for (String id : members) {
                    applied.append(' ').append(id).append('=').append(cluster.stateMachine(id).lastApplied());
                }
                violation("LIVE", "command at index " + index + " committed, but not every node applied it within "
                        + CATCH_UP_BOUND.toSeconds() + " s more; applied:" + applied);
            }
        }

        /** Why a cluster is stuck, as far as its nodes can tell: role, term, log, commit and leader of each. */
        private String nodesNow() {
            StringBuilder sb = new StringBuilder();
            for (String id : ids) {
                sb.append(sb.length() == 0 ? "" : "; ").append(id);
                if (!cluster.isUp(id)) {
                    sb.append(" down");
                    continue;
                }
                var st = cluster.status(id);
                sb.append(' ').append(st.role()).append(" term ").append(st.term()).append(" last ")
                        .append(st.lastIndex()).append('/').append(st.lastTerm()).append(" commit ")
                        .append(st.commitIndex()).append(" applied ").append(st.appliedIndex()).append(" leader ")
                        .append(st.leaderId());
            }
            return sb.toString();
        }

        // ---- end-of-run checks ----

        /** A running node that stopped by itself, or an ERROR line of the engine, is an engine bug. */
        private void checkEngineHealthy() {
            if (!engineErrors.isEmpty()) {
                violation("ENGINE-ERROR", String.join("; ", engineErrors));
            }
            for (String id : ids) {
                if (cluster.isUp(id) && cluster.status(id).role() == Role.STOPPED) {
                    violation("ENGINE-ERROR", id + " stopped by itself");
                }
            }
        }

        private void checkLogsAndApplies() {
            long minApplied = Long.MAX_VALUE;
            for (String id : mix.compareTo(Mix.V7) >= 0 ? members() : ids) {
                minApplied = Math.min(minApplied, cluster.stateMachine(id).lastApplied());
            }
            // Each index once, in order; a restore from a snapshot jumps to the entry after the snapshot.
            Map<Long, AppliedEntry> reference = new HashMap<>();
            Map<Long, String> referenceIds = new HashMap<>();
            for (String id : ids) {
                SimStateMachine sm = cluster.stateMachine(id);
                Map<Integer, Long> restoredAt = new HashMap<>();
                for (SimStateMachine.Restore r : sm.restores()) {
                    restoredAt.put(r.appliedBefore(), r.index());
                }
                Set<String> seen = new HashSet<>();
                long expect = 1;
                List<AppliedEntry> applied = sm.appliedEntries();
                for (int k = 0; k < applied.size(); k++) {
                    AppliedEntry e = applied.get(k);
                    Long restored = restoredAt.get(k);
                    if (restored != null) {
                        expect = restored + 1;
                    }
                    if (e.index() != expect++) {
                        violation("SAME-APPLY", id + " applied index " + e.index() + " out of order");
                    }
                    if (e.command() != null && !seen.add(text(e.command()))) {
                        violation("ONCE", id + " applied command " + text(e.command()) + " twice (again at index "
                                + e.index() + ")");
                    }
                    if (e.index() <= minApplied) {
                        AppliedEntry first = reference.putIfAbsent(e.index(), e);
                        if (first == null) {
                            referenceIds.put(e.index(), id);
                        } else if (!first.equals(e)) {
                            violation("SAME-APPLY", id + " and " + referenceIds.get(e.index()) + " applied different"
                                    + " entries at index " + e.index() + ": " + e + " vs " + first);
                        }
                    }
                }
            }
            for (String id : ids) {
                Map<String, Long> at = new HashMap<>();
                for (LogEntry e : cluster.log(id).snapshotEntries()) {
                    // A session command may be in a log twice (a forward re-sent, a command re-submitted): its
                    // session table applies it once, which the applied check above sees. Each copy of a
                    // forward (one request id) is appended once, though, duplicated by the network or not.
                    String key = e.type() == EntryType.COMMAND ? text(e.data())
                            : e.type() == EntryType.SESSION_COMMAND && e.requestId() != 0 ? "request " + e.requestId()
                            : null;
                    if (key == null) {
                        continue;
                    }
                    Long earlier = at.putIfAbsent(key, e.index());
                    if (earlier != null) {
                        violation("ONCE", "the log of " + id + " holds " + (e.type() == EntryType.COMMAND
                                ? "command " : "the forward of ") + key + " twice, at index " + earlier + " and "
                                + e.index());
                    }
                }
            }
            // Retry (and Redirect) promise "certainly not in the log": such a command must never show up.
            Map<String, String> inLogs = new HashMap<>();
            // V7: a node outside the configuration may keep an uncommitted tail no leader will ever replace (it was
            // sent entries as a learner being added, then the change was lost, or it was removed): only the logs of
            // the members count, and what any node applied.
            List<String> members = mix.compareTo(Mix.V7) >= 0 ? members() : ids;
            for (String id : ids) {
                for (LogEntry e : members.contains(id) ? cluster.log(id).snapshotEntries() : List.<LogEntry>of()) {
                    byte[] command = EntryCommands.commandOf(e);
                    if (command != null) {
                        inLogs.putIfAbsent(text(command), id + " index " + e.index() + " term " + e.term());
                    }
                }
                for (AppliedEntry e : cluster.stateMachine(id).appliedEntries()) {
                    if (e.command() != null) {
                        inLogs.putIfAbsent(text(e.command()), id + " applied at index " + e.index());
                    }
                }
                for (String value : cluster.stateMachine(id).values()) {
                    inLogs.putIfAbsent(value, id + "'s state (applied, or restored from a snapshot)");
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
                    SimStateMachine sm = cluster.stateMachine(id);
                    byte[] applied = sm.commandAt(index);
                    if (applied == null && index <= sm.restoredUpTo()) {
                        continue; // restored from a snapshot, whose state the invariants checked
                    }
                    if (sm.lastApplied() >= index && !Arrays.equals(applied, op.command())) {
                        violation("DURABLE", op + " acknowledged at index " + index + " but " + id + " applied "
                                + (applied == null ? "nothing" : text(applied)) + " there");
                    }
                }
            }
        }

        /**
         * LINEARIZABLE, for what the checker cannot see: a linearizable read whose query failed, or ran on a state
         * machine that had not applied up to its read index (see {@link SimCluster#read}).
         */
        private void checkReads() {
            if (!cluster.readViolations().isEmpty()) {
                violation("LINEARIZABLE", "linearizable reads went wrong: " + cluster.readViolations());
            }
        }

        /** LINEARIZABLE: the client history, as appends to one list, against the checker. */
        private void checkLinearizable() {
            if (!options.checkLinearizability()) {
                linearizabilityNote = "not checked: turned off";
                return;
            }
            CheckResult result;
            try {
                result = LogLinearizability.check(cluster.history(), options.linearizabilityBudget());
            } catch (IllegalArgumentException wrongAnswer) {
                linearizability = SeedResult.Linearizability.NOT_LINEARIZABLE;
                linearizabilityNote = wrongAnswer.getMessage();
                violation("LINEARIZABLE", wrongAnswer.getMessage());
                return;
            }
            if (result instanceof CheckResult.NotLinearizable bad) {
                linearizability = SeedResult.Linearizability.NOT_LINEARIZABLE;
                linearizabilityNote = bad.steps() + " checker steps";
                violation("LINEARIZABLE", "the client history (" + cluster.history().size()
                        + " operations, as appends to one list) is not linearizable: " + bad.explanation());
            } else if (result instanceof CheckResult.Unknown unknown) {
                linearizability = SeedResult.Linearizability.SKIPPED_BUDGET;
                linearizabilityNote = "skipped: the checker found no verdict within its budget of "
                        + options.linearizabilityBudget() + " steps (" + cluster.history().size() + " operations)";
            } else {
                linearizability = SeedResult.Linearizability.LINEARIZABLE;
                linearizabilityNote = "linearizable (" + cluster.history().size() + " operations, " + result.steps()
                        + " checker steps)";
            }
        }

        private static String text(byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }

        private void violation(String invariant, String detail) {
            if (!cluster.invariants().reports(invariant)) {
                return;
            }
            throw InvariantViolation.of(cluster.simulation(), invariant, describe() + ": " + detail);
        }
    }
}
