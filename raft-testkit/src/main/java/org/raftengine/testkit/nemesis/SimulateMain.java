package org.raftengine.testkit.nemesis;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.raftengine.core.internal.RuleBreach;

/**
 * The command behind {@code bin/simulate}: runs a range of {@link Nemesis} seeds and sums them up.
 *
 * <pre>
 * bin/simulate --seeds N [--from S] [--nodes K] [--mix v1|v2|v3|v4|v5|v6|v7] [--threads T] [--no-lin] [--lin-budget STEPS]
 *              [--breach RULE]... [--only INVARIANT,...] [--batching]
 * </pre>
 *
 * <ul>
 *   <li>{@code --seeds N}: how many seeds (default 500), {@code --from S}: the first one (default 1);</li>
 *   <li>{@code --nodes K}: force the cluster size (default: 1, 3 or 5 drawn per seed);</li>
 *   <li>{@code --mix}: how seeds map to schedules ({@link Nemesis.Mix}, default the latest); frozen seeds
 *   of an older mix replay with it;</li>
 *   <li>{@code --threads T}: seeds run in parallel (default 1); results do not depend on it;</li>
 *   <li>{@code --no-lin}, {@code --lin-budget}: the linearizability check off, or its step budget;</li>
 *   <li>{@code --breach RULE}: every node deliberately breaks a Raft rule ({@link org.raftengine.core.internal.RuleBreach}),
 *   to watch the checkers catch it; {@code --only}: only these invariants fail a seed;</li>
 *   <li>{@code --batching}: state machines that apply each batch in one atomic step, with failing commits and
 *   rejected commands in the mix ({@link Nemesis.Options#batchingStateMachines()}).</li>
 * </ul>
 *
 * <p>Progress goes to stderr about every 5%. Each failing seed is printed to stdout as it is found,
 * with the command that replays it and the paths of its two trace renderings. The last line on stdout
 * is {@code simulated N seeds: V violations, C commands committed, E elections, S snapshots taken, I snapshots
 * installed, D duplicate submits applied once, M membership changes, L leadership transfers, R linearizable reads,
 * in T s} (M: membership changes answered Done; L: transfers that ended with the target leading; R: ReadIndex
 * reads answered Ok). Exit status: 0 if V is 0, 1 if not, 2 for a usage error.
 */
public final class SimulateMain {

    private SimulateMain() {
    }

    /** The parsed command line. */
    record Args(long from, int seeds, Nemesis.Options options, int threads) {
    }

    public static void main(String[] argv) {
        Args args;
        try {
            args = parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("simulate: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (args == null) {
            System.out.println(usage());
            return;
        }
        int violations = run(args, System.out, System.err);
        System.exit(violations == 0 ? 0 : 1);
    }

    static String usage() {
        return "usage: bin/simulate --seeds N [--from S] [--nodes K] [--mix v1|v2|v3|v4|v5|v6|v7] [--threads T] [--no-lin]"
                + " [--lin-budget STEPS] [--breach RULE]... [--only INVARIANT,...] [--batching]";
    }

    /** Parses the command line; null for --help. */
    static Args parse(String[] argv) {
        long from = 1;
        int seeds = 500;
        int threads = 1;
        Nemesis.Options options = Nemesis.Options.DEFAULTS;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--seeds" -> seeds = (int) number(argv, ++i, a, 1, Integer.MAX_VALUE);
                case "--from" -> from = number(argv, ++i, a, Long.MIN_VALUE, Long.MAX_VALUE);
                case "--nodes" -> options = options.withNodes((int) number(argv, ++i, a, 1, 9));
                case "--threads" -> threads = (int) number(argv, ++i, a, 1, 64);
                case "--lin-budget" -> options = options.withLinearizabilityBudget(number(argv, ++i, a, 1, Long.MAX_VALUE));
                case "--no-lin" -> options = options.withLinearizability(false);
                case "--mix" -> {
                    String v = value(argv, ++i, a);
                    try {
                        options = options.withMix(Nemesis.Mix.parse(v));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--mix: no mix " + v + " (v1 to v7)");
                    }
                }
                case "--breach" -> {
                    String v = value(argv, ++i, a);
                    Set<RuleBreach> rules = new HashSet<>(options.breaches());
                    try {
                        rules.add(RuleBreach.valueOf(v.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--breach: no rule " + v + " (one of "
                                + Arrays.toString(RuleBreach.values()) + ")");
                    }
                    options = options.withBreaches(rules);
                }
                case "--only" -> options = options.reportingOnly(Set.of(value(argv, ++i, a).split(",")));
                case "--batching" -> options = options.withBatchingStateMachines(true);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (seeds > 1 && from > Long.MAX_VALUE - seeds) {
            throw new IllegalArgumentException("--from + --seeds overflows");
        }
        return new Args(from, seeds, options, threads);
    }

    private static String value(String[] argv, int i, String flag) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return argv[i];
    }

    private static long number(String[] argv, int i, String flag, long min, long max) {
        String v = value(argv, i, flag);
        long n;
        try {
            n = Long.parseLong(v.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got " + v);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + " must be in [" + min + ", " + max + "], got " + n);
        }
        return n;
    }

    /**
     * Runs the seeds, printing progress to {@code err} and failures and the summary to {@code out}.
     *
     * @return the number of violations
     */
    static int run(Args args, PrintStream out, PrintStream err) {
        long started = System.nanoTime();
        int n = args.seeds();
        int step = Math.max(1, (n + 19) / 20);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Object lock = new Object();
        // The slowest seed, for finding a run whose message rate runs away (its steps, not its virtual time).
        long[] slowestNanos = {0};
        long[] slowestSeed = {0};
        err.println("[simulate] " + n + " seed" + (n == 1 ? "" : "s") + " from " + args.from() + ", mix "
                + args.options().mix().flag() + (args.options().nodes() > 0 ? ", " + args.options().nodes()
                + " nodes" : ", 1/3/5 nodes") + (args.threads() > 1 ? ", " + args.threads() + " threads" : "")
                + (args.options().batchingStateMachines() ? ", state machines applying in batches" : ""));
        SeedResult[] results = new SeedResult[n];
        ExecutorService pool = args.threads() > 1 ? Executors.newFixedThreadPool(args.threads(), r -> {
            Thread t = new Thread(r, "simulate");
            t.setDaemon(true);
            return t;
        }) : null;
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            Runnable task = () -> {
                long t0 = System.nanoTime();
                SeedResult r = Nemesis.run(args.from() + k, args.options());
                results[k] = r;
                long took = System.nanoTime() - t0;
                synchronized (lock) {
                    if (took > slowestNanos[0]) {
                        slowestNanos[0] = took;
                        slowestSeed[0] = args.from() + k;
                    }
                    if (!r.passed()) {
                        failed.incrementAndGet();
                        printFailure(out, r);
                    }
                    long d = done.incrementAndGet();
                    if (d % step == 0 && d < n) {
                        err.printf(Locale.ROOT, "[simulate] %d/%d seeds (%d%%), %d violation%s, %.1f s%n", d, n,
                                d * 100 / n, failed.get(), failed.get() == 1 ? "" : "s", seconds(started));
                    }
                }
            };
            if (pool == null) {
                task.run();
            } else {
                futures.add(pool.submit(task));
            }
        }
        if (pool != null) {
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (Exception e) {
                throw new IllegalStateException("a seed could not run: " + e, e);
            } finally {
                pool.shutdownNow();
            }
        }
        double secs = seconds(started);
        if (n > 1) {
            err.printf(Locale.ROOT, "[simulate] slowest seed: %d, %.1f s%n", slowestSeed[0], slowestNanos[0] / 1e9);
        }

        long violations = 0;
        long committed = 0;
        long elections = 0;
        long snapshotsTaken = 0;
        long snapshotsInstalled = 0;
        long duplicates = 0;
        long transfersAsked = 0;
        long transfersDone = 0;
        long reads = 0;
        long leaseReads = 0;
        long membershipAsked = 0;
        long membershipDone = 0;
        long settingsAsked = 0;
        long settingsDone = 0;
        long stepsCommitted = 0;
        long stepsDiscarded = 0;
        long largestStep = 0;
        long submitted = 0;
        long acknowledged = 0;
        long crashes = 0;
        long partitions = 0;
        long virtualMillis = 0;
        long highestTerm = 0;
        int[] sizes = new int[10];
        long linChecked = 0;
        List<Long> linSkipped = new ArrayList<>();
        for (SeedResult r : results) {
            violations += r.violations();
            committed += r.commandsCommitted();
            elections += r.elections();
            snapshotsTaken += r.snapshotsTaken();
            snapshotsInstalled += r.snapshotsInstalled();
            duplicates += r.duplicateSubmits();
            transfersAsked += r.transfersAsked();
            transfersDone += r.transfersDone();
            reads += r.linearizableReads();
            leaseReads += r.leaseReads();
            membershipAsked += r.membershipAsked();
            membershipDone += r.membershipDone();
            settingsAsked += r.settingsAsked();
            settingsDone += r.settingsDone();
            stepsCommitted += r.steps().committed();
            stepsDiscarded += r.steps().discarded();
            largestStep = Math.max(largestStep, r.steps().largest());
            submitted += r.commandsSubmitted();
            acknowledged += r.commandsAcknowledged();
            crashes += r.crashes();
            partitions += r.partitions();
            virtualMillis += r.virtualMillis();
            highestTerm = Math.max(highestTerm, r.highestTerm());
            sizes[r.nodes()]++;
            if (r.linearizability() == SeedResult.Linearizability.LINEARIZABLE) {
                linChecked++;
            } else if (r.linearizability() == SeedResult.Linearizability.SKIPPED_BUDGET) {
                linSkipped.add(r.seed());
            }
        }
        StringBuilder bySize = new StringBuilder();
        for (int s = 1; s < sizes.length; s++) {
            if (sizes[s] > 0) {
                bySize.append(bySize.length() == 0 ? "" : ", ").append(sizes[s]).append(" of ").append(s)
                        .append(s == 1 ? " node" : " nodes");
            }
        }
        err.printf(Locale.ROOT, "[simulate] %s; %.0f virtual s, %d commands submitted, %d acknowledged, %d crashes,"
                + " %d partitions, highest term %d; linearizable: %d seeds%s%n", bySize, virtualMillis / 1000.0,
                submitted, acknowledged, crashes, partitions, highestTerm, linChecked,
                linSkipped.isEmpty() ? "" : ", skipped (checker budget exhausted): " + linSkipped.size() + " "
                        + abbreviate(linSkipped));
        err.println("[simulate] " + livenessLine(results));
        if (args.options().batchingStateMachines()) {
            err.printf(Locale.ROOT, "[simulate] atomic steps: %d committed (the largest of %d entries), %d aborted,"
                    + " failed at their commit or lost%n", stepsCommitted, largestStep, stepsDiscarded);
        }
        if (transfersAsked > 0) {
            err.printf(Locale.ROOT, "[simulate] leadership transfers: %d asked for, %d done; linearizable reads: %d"
                    + " answered Ok, %d given their index on a leader's lease%n", transfersAsked, transfersDone, reads,
                    leaseReads);
        }
        if (membershipAsked + settingsAsked > 0) {
            err.printf(Locale.ROOT, "[simulate] membership changes: %d asked for, %d done; settings changes (PreVote"
                    + " through the log): %d asked for, %d done%n", membershipAsked, membershipDone, settingsAsked,
                    settingsDone);
        }
        out.printf(Locale.ROOT, "simulated %d seeds: %d violations, %d commands committed, %d elections, %d snapshots"
                + " taken, %d snapshots installed, %d duplicate submits applied once, %d membership changes, %d"
                + " leadership transfers, %d linearizable reads, in %.1f s%n", n, violations, committed, elections,
                snapshotsTaken, snapshotsInstalled, duplicates, membershipDone, transfersDone, reads, secs);
        out.flush();
        return (int) Math.min(Integer.MAX_VALUE, violations);
    }

    /**
     * How long after the heal the first command committed: the maximum and the 99th percentile, with
     * PreVote and CheckQuorum both on and otherwise, against their LIVE bounds.
     */
    static String livenessLine(SeedResult[] results) {
        List<Long> protectedRuns = new ArrayList<>();
        List<Long> plainRuns = new ArrayList<>();
        for (SeedResult r : results) {
            if (r.liveMillis() >= 0) {
                (r.preVote() && r.checkQuorum() ? protectedRuns : plainRuns).add(r.liveMillis());
            }
        }
        return "liveness, heal to first commit: PreVote+CheckQuorum " + spread(protectedRuns) + " (bound "
                + Nemesis.liveBound(true, true).toMillis() + " ms); otherwise " + spread(plainRuns) + " (bound "
                + Nemesis.liveBound(false, false).toMillis() + " ms)";
    }

    private static String spread(List<Long> millis) {
        if (millis.isEmpty()) {
            return "no seeds";
        }
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        long p99 = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1));
        return "max " + sorted.get(sorted.size() - 1) + " ms, p99 " + p99 + " ms over " + sorted.size() + " seeds";
    }

    private static void printFailure(PrintStream out, SeedResult r) {
        out.println("FAILED seed " + r.seed() + ": " + r.headline());
        out.println("  replay:  " + r.replayCommand());
        out.println("  table:   " + (r.traceFile() == null ? "(not written)" : r.traceFile().toAbsolutePath()));
        out.println("  diagram: " + (r.diagramFile() == null ? "(not written)" : r.diagramFile().toAbsolutePath()));
        out.flush();
    }

    private static String abbreviate(List<Long> seeds) {
        List<Long> shown = seeds.subList(0, Math.min(10, seeds.size()));
        return shown + (seeds.size() > shown.size() ? " and " + (seeds.size() - shown.size()) + " more" : "");
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
