package org.raftengine.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The benchmark: every chosen system at every client count, in interleaved rounds (A, B, A, B, ...,
 * each on a fresh cluster, each in a JVM of its own with the same flags: see {@link TrialProcess}) so that
 * load on the machine falls on all of them alike and no system inherits another's heap or JIT state;
 * medians per system and client count.
 *
 * <p>Prints progress lines (starting with {@code #}) to standard error, then to standard output one
 * line per system and configuration, then the lines {@code codec raftengine-codec/raftengine c=N: X}
 * (the codec's cost), for systems whose clients read (see {@link BenchSystems#READS}, {@code --reads}) the lines
 * {@code reads SYSTEM/raftengine c=N: X} (reads per second over raftengine's commits per second) and
 * {@code lease SYSTEM c=N: P% of R reads on the lease}, and, last, {@code ratio raftengine/PEER c=N: X} (median
 * throughputs divided; the C=64 lines last). A full run (not {@code --quick}) then writes {@code results.md}, {@code throughput.png}
 * and {@code latency.png} into {@code --out} (see {@link BenchReport}).
 */
public final class BenchMain {

    /** Held so that the level set on it stays (the logging framework keeps loggers weakly). */
    private static final java.util.logging.Logger ENGINE_LOG = java.util.logging.Logger.getLogger("org.raftengine");

    /** Hibernate's, Narayana's and Agroal's start-up lines (through JBoss Logging to JUL), held as above. */
    private static final List<java.util.logging.Logger> JPA_LOGS = List.of(
            java.util.logging.Logger.getLogger("org.hibernate"), java.util.logging.Logger.getLogger("com.arjuna"),
            java.util.logging.Logger.getLogger("io.agroal"), java.util.logging.Logger.getLogger("org.jboss"));

    /** The client count whose ratio lines come last. */
    static final int HEADLINE_CLIENTS = 64;

    private BenchMain() {
    }

    /** The parsed options, or exit status 2 with the error (unless --help) and the usage text. */
    private static <T> T parseOrExit(Supplier<T> parse, String usage) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().equals("usage")) {
                System.err.println("bench: " + e.getMessage());
            }
            System.err.print(usage);
            System.exit(2);
            throw e; // not reached
        }
    }

    public static void main(String[] args) throws Exception {
        // The charts are drawn off-screen; as -Djava.awt.headless=true, unless the command line says otherwise.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        if (FollowerDownOptions.requested(args)) {
            FollowerDownOptions downOptions = parseOrExit(() -> FollowerDownOptions.parse(args),
                    FollowerDownOptions.usage());
            ENGINE_LOG.setLevel(java.util.logging.Level.WARNING);
            boolean bounded = FollowerDownRun.run(downOptions, System.out);
            System.out.flush();
            System.exit(bounded ? 0 : 1);
            return;
        }
        if (JmsOptions.requested(args)) {
            JmsOptions jmsOptions = parseOrExit(() -> JmsOptions.parse(args), JmsOptions.usage());
            ENGINE_LOG.setLevel(java.util.logging.Level.WARNING);
            boolean ok = JmsRun.run(jmsOptions, BenchOptions.defaultOut().getParent(), System.out, System.err);
            System.out.flush();
            System.exit(ok ? 0 : 1); // broker clients leave non-daemon threads behind
            return;
        }
        if (CdiOptions.requested(args)) {
            CdiOptions cdiOptions = parseOrExit(() -> CdiOptions.parse(args), CdiOptions.usage());
            ENGINE_LOG.setLevel(java.util.logging.Level.WARNING);
            for (java.util.logging.Logger quiet : JPA_LOGS) {
                quiet.setLevel(java.util.logging.Level.WARNING);
            }
            java.util.logging.Logger.getLogger("org.apache.activemq").setLevel(java.util.logging.Level.WARNING);
            boolean ok = CdiRun.run(cdiOptions, BenchOptions.defaultOut().getParent(), System.out, System.err);
            System.out.flush();
            System.exit(ok ? 0 : 1);
            return;
        }
        if (JpaOptions.requested(args)) {
            JpaOptions jpaOptions = parseOrExit(() -> JpaOptions.parse(args), JpaOptions.usage());
            ENGINE_LOG.setLevel(java.util.logging.Level.WARNING);
            for (java.util.logging.Logger quiet : JPA_LOGS) {
                quiet.setLevel(java.util.logging.Level.WARNING);
            }
            boolean ok = JpaRun.run(jpaOptions, BenchOptions.defaultOut().getParent(), System.out, System.err);
            System.out.flush();
            System.exit(ok ? 0 : 1);
            return;
        }
        BenchOptions options = parseOrExit(() -> BenchOptions.parse(args), BenchOptions.usage());
        // The engine's INFO lines (bootstrap, leader elected) for every trial would drown the progress.
        ENGINE_LOG.setLevel(java.util.logging.Level.WARNING);
        Result result = run(options, System.out, System.err);
        System.out.flush();
        if (!options.quick() && !result.summaries().isEmpty()) {
            try {
                for (Path written : BenchReport.write(result.summaries(), options, options.out())) {
                    System.err.println("# wrote " + written);
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("# FAILED writing the report to " + options.out() + ": " + e);
            }
        }
        // Peer libraries may leave non-daemon threads behind: the run is over.
        System.exit(result.failedTrials().isEmpty() ? 0 : 1);
    }

    /** What a run produced: the summaries, in the order printed, and the trials that failed. */
    public record Result(List<Summary> summaries, List<String> failedTrials) {
    }

    /** Runs the benchmark; summaries and ratios go to {@code out}, progress to {@code progress}. */
    public static Result run(BenchOptions options, PrintStream out, PrintStream progress) {
        progress.printf(Locale.ROOT, "# bench: java %s, %d cpus, max heap %d MB, systems %s, clients %s, "
                        + "warm-up %s (+%s first), measure %s, %d rounds, %d-byte commands%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, options.systems(), options.clients(),
                seconds(options.warmup()), seconds(options.jitWarmup()), seconds(options.measure()),
                options.rounds(), options.commandBytes());
        if (options.sameJvm()) {
            progress.println("# every trial in this JVM: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        } else {
            progress.println("# every trial in a JVM of its own, java " + System.getProperty("java.version")
                    + " (default collector), flags " + TrialProcess.jvmFlags(options));
        }

        Set<String> warmed = new HashSet<>();
        List<Summary> summaries = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int clients : options.clients()) {
            Map<String, List<TrialResult>> bySystem = new LinkedHashMap<>();
            for (int round = 1; round <= options.rounds(); round++) {
                for (String name : options.systems()) {
                    // A trial in a fresh JVM starts with a cold JIT: it gets the JIT's warm-up every time.
                    boolean cold = !options.sameJvm() || warmed.add(name);
                    Duration warmup = cold ? options.warmup().plus(options.jitWarmup()) : options.warmup();
                    try {
                        TrialResult r = options.sameJvm()
                                ? Trial.run(BenchSystems.create(name), clients, options.commandBytes(), round, warmup,
                                options.measure())
                                : TrialProcess.run(options, name, clients, round, warmup);
                        progress.println(Summary.progress(r));
                        bySystem.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
                    } catch (Exception e) {
                        String what = name + " c=" + clients + " round " + round + ": " + e;
                        progress.println("# FAILED " + what);
                        failed.add(what);
                    }
                }
            }
            for (List<TrialResult> rounds : bySystem.values()) {
                Summary s = Summary.of(rounds);
                summaries.add(s);
                out.println(s.line());
            }
            out.flush();
        }
        for (String line : readLines(summaries)) {
            out.println(line);
        }
        for (String line : ratioLines(summaries)) {
            out.println(line);
        }
        for (String f : failed) {
            out.println("FAILED " + f);
        }
        if (options.quick()) {
            out.printf(Locale.ROOT, "note: --quick is indicative only (%d rounds of %s, each in a fresh JVM); "
                    + "figures come from a full run%n", options.rounds(), seconds(options.measure()));
        }
        out.flush();
        return new Result(summaries, failed);
    }

    /**
     * The codec lines, then the ratio lines of raftengine against each peer present, by client count
     * (peers in run order within one count), those of C=64 (the headline) last.
     */
    static List<String> ratioLines(List<Summary> summaries) {
        List<String> codec = new ArrayList<>();
        List<String> ratios = new ArrayList<>();
        List<Integer> counts = new ArrayList<>(summaries.stream().map(Summary::clients).distinct().toList());
        if (counts.remove(Integer.valueOf(HEADLINE_CLIENTS))) {
            counts.add(HEADLINE_CLIENTS);
        }
        for (int c : counts) {
            Summary base = find(summaries, "raftengine", c);
            Summary withCodec = find(summaries, "raftengine-codec", c);
            if (base != null && withCodec != null) {
                codec.add(String.format(Locale.ROOT, "codec raftengine-codec/raftengine c=%d: %.2f", c,
                        withCodec.throughput() / base.throughput()));
            }
        }
        List<String> peers = summaries.stream().map(Summary::system).filter(s -> !BenchSystems.isRaftengine(s))
                .distinct().toList();
        for (int c : counts) {
            for (String peer : peers) {
                Summary base = find(summaries, "raftengine", c);
                Summary other = find(summaries, peer, c);
                if (base != null && other != null && other.throughput() > 0) {
                    ratios.add(String.format(Locale.ROOT, "ratio raftengine/%s c=%d: %.2f", peer, c,
                            base.throughput() / other.throughput()));
                }
            }
        }
        List<String> all = new ArrayList<>(codec);
        all.addAll(ratios);
        return all;
    }

    /**
     * For each system whose clients read, by client count: its median reads per second over raftengine's median
     * commits per second at the same count (when raftengine ran), then the share of its reads that the leader
     * served on its lease (summed over the rounds' windows, from {@code RaftNode.leaseReads()}).
     */
    static List<String> readLines(List<Summary> summaries) {
        List<String> ratios = new ArrayList<>();
        List<String> leases = new ArrayList<>();
        for (Summary s : summaries) {
            if (!s.readWorkload()) {
                continue;
            }
            Summary writes = find(summaries, "raftengine", s.clients());
            if (writes != null && writes.throughput() > 0) {
                ratios.add(String.format(Locale.ROOT, "reads %s/raftengine c=%d: %.2f", s.system(), s.clients(),
                        s.throughput() / writes.throughput()));
            }
            leases.add(String.format(Locale.ROOT, "lease %s c=%d: %.2f%% of %,d reads served on the lease",
                    s.system(), s.clients(), Math.max(0, s.leaseFraction()) * 100, s.reads()));
        }
        List<String> all = new ArrayList<>(ratios);
        all.addAll(leases);
        return all;
    }

    private static Summary find(List<Summary> summaries, String system, int clients) {
        for (Summary s : summaries) {
            if (s.system().equals(system) && s.clients() == clients) {
                return s;
            }
        }
        return null;
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
