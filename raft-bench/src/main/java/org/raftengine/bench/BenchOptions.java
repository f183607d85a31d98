package org.raftengine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The benchmark's command line.
 *
 * <pre>
 * --quick                 C=64 only, raftengine and microraft interleaved, short periods (under 90 s)
 * --reads                 linearizable reads beside writes: systems raftengine (writes), raftengine-read-index
 *                         and raftengine-lease-read (reads on the leader), C=64, report under --out's reads/
 * --clients 1,16,64,256   closed-loop client counts
 * --systems a,b,c         systems, by name (see BenchSystems)
 * --warmup-seconds N      warm-up of every trial before measuring
 * --jit-warmup-seconds N  extra warm-up of a trial in a fresh JVM (the JIT's): every trial, unless --same-jvm
 *                         (then each system's first trial only)
 * --measure-seconds N     measured period of every trial
 * --rounds N              trials of each system at each client count, interleaved; medians reported
 * --command-bytes N       command size
 * --heap SIZE             maximum heap of each trial's JVM (-Xmx), default 2g
 * --pre-touch             size the heap at -Xmx and touch it at start (-Xms, -XX:+AlwaysPreTouch); default off
 * --same-jvm              run every trial in this JVM instead of one JVM per trial (for profiling this JVM)
 * --out DIR               where a full run (not --quick) writes results.md, throughput.png and latency.png
 *                         (default: raft-bench/target/bench, from the repository root or the module)
 * </pre>
 */
public record BenchOptions(List<Integer> clients, List<String> systems, Duration warmup, Duration jitWarmup,
                           Duration measure, int rounds, int commandBytes, boolean quick, Path out, String heap,
                           boolean preTouch, boolean sameJvm, boolean reads) {

    public static final List<Integer> DEFAULT_CLIENTS = List.of(1, 16, 64, 256);
    /** The systems of {@code --reads}: raftengine's writes, then its reads by ReadIndex and on the lease. */
    public static final List<String> READS_SYSTEMS = List.of("raftengine", "raftengine-read-index",
            "raftengine-lease-read");

    /** What a user's server might give: every trial's JVM gets this -Xmx unless told otherwise. */
    public static final String DEFAULT_HEAP = "2g";

    public BenchOptions {
        clients = List.copyOf(clients);
        systems = List.copyOf(systems);
        if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("--clients needs positive counts");
        }
        if (systems.isEmpty()) {
            throw new IllegalArgumentException("--systems needs at least one system");
        }
        for (String s : systems) {
            BenchSystems.create(s); // fails for an unknown name; the instance is never started
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1");
        }
        if (measure.isZero() || measure.isNegative()) {
            throw new IllegalArgumentException("--measure-seconds must be positive");
        }
        if (warmup.isNegative() || jitWarmup.isNegative()) {
            throw new IllegalArgumentException("warm-ups must not be negative");
        }
        if (commandBytes < 16) {
            throw new IllegalArgumentException("--command-bytes must be at least 16");
        }
        if (out == null) {
            throw new IllegalArgumentException("--out needs a directory");
        }
        if (heap == null || !heap.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("--heap needs a size as -Xmx takes it (2g, 512m): " + heap);
        }
    }

    /**
     * The full benchmark: every system, C in {1, 16, 64, 256}, 3 interleaved rounds of 10 s after 10 s of
     * warm-up, each trial in a JVM of its own with a 2 GB heap.
     */
    public static BenchOptions full() {
        return new BenchOptions(DEFAULT_CLIENTS, BenchSystems.ALL, Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(10), 3, 64, false, defaultOut(), DEFAULT_HEAP, false, false, false);
    }

    /** The quick check: C=64, raftengine and microraft, 3 short interleaved rounds. */
    public static BenchOptions quickRun() {
        return new BenchOptions(List.of(64), List.of("raftengine", "microraft"), Duration.ofSeconds(3),
                Duration.ofSeconds(3), Duration.ofSeconds(4), 3, 64, true, defaultOut(), DEFAULT_HEAP, false, false,
                false);
    }

    /**
     * Parses the command line: {@code --quick} picks the quick defaults, otherwise the full ones; {@code --reads}
     * then sets the systems to {@link #READS_SYSTEMS}, the clients to 64 and the output to {@code reads/} under
     * the default; every other option then overrides its default.
     *
     * @throws IllegalArgumentException for an unknown option or a bad value
     */
    public static BenchOptions parse(String... args) {
        boolean quick = false;
        boolean preTouch = false;
        boolean sameJvm = false;
        boolean reads = false;
        for (String a : args) {
            switch (a) {
                case "--quick" -> quick = true;
                case "--reads" -> reads = true;
                case "--pre-touch" -> preTouch = true;
                case "--same-jvm" -> sameJvm = true;
                default -> {
                    // a valued option, read below
                }
            }
        }
        BenchOptions o = quick ? quickRun() : full();
        List<Integer> clients = o.clients;
        List<String> systems = o.systems;
        Duration warmup = o.warmup;
        Duration jitWarmup = o.jitWarmup;
        Duration measure = o.measure;
        int rounds = o.rounds;
        int commandBytes = o.commandBytes;
        Path out = o.out;
        String heap = o.heap;
        if (reads) {
            systems = READS_SYSTEMS;
            clients = List.of(64);
            out = out.resolve("reads");
        }
        for (CommandLineArgs.Option option : CommandLineArgs.parse(args,
                Set.of("--quick", "--reads", "--pre-touch", "--same-jvm"))) {
            String name = option.name();
            String value = option.value();
            if (value == null) {
                continue; // a flag, read above
            }
            switch (name) {
                case "--clients" -> clients = ints(name, value);
                case "--systems" -> systems = List.of(value.split(","));
                case "--warmup-seconds" -> warmup = seconds(name, value);
                case "--jit-warmup-seconds" -> jitWarmup = seconds(name, value);
                case "--measure-seconds" -> measure = seconds(name, value);
                case "--rounds" -> rounds = ints(name, value).get(0);
                case "--command-bytes" -> commandBytes = ints(name, value).get(0);
                case "--out" -> out = Path.of(value);
                case "--heap" -> heap = value;
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        return new BenchOptions(clients, systems, warmup, jitWarmup, measure, rounds, commandBytes, quick, out, heap,
                preTouch, sameJvm, reads);
    }

    /**
     * {@code raft-bench/target/bench} from the repository root (where {@code bin/bench} runs), or
     * {@code target/bench} from anywhere else (the module's directory, as under Maven).
     */
    static Path defaultOut() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("raft-bench")) ? here.resolve("raft-bench/target/bench")
                : here.resolve("target/bench");
    }

    static List<Integer> ints(String option, String value) {
        List<Integer> out = new ArrayList<>();
        try {
            for (String part : value.split(",")) {
                out.add(Integer.parseInt(part.trim()));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number list: " + value);
        }
        return out;
    }

    static Duration seconds(String option, String value) {
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number of seconds: " + value);
        }
    }

    static String usage() {
        return """
                usage: bin/bench [--quick] [--reads] [--clients 1,16,64,256] [--systems raftengine,raftengine-codec,microraft]
                                 [--warmup-seconds N] [--jit-warmup-seconds N] [--measure-seconds N]
                                 [--rounds N] [--command-bytes N] [--out DIR] [--heap 2g] [--pre-touch] [--same-jvm]
                  --quick   C=64 only, raftengine and microraft interleaved, 3 rounds of 4 s (under 90 s)
                  --reads   linearizable reads on the leader beside writes, C=64: raftengine (writes),
                            raftengine-read-index (ReadIndex) and raftengine-lease-read (lease reads, CheckQuorum on),
                            interleaved; with --quick the quick periods; report in raft-bench/target/bench/reads
                  every trial runs in a JVM of its own (-Xmx from --heap, default 2g; the heap touched at start only
                  with --pre-touch; extra flags for those JVMs in BENCH_TRIAL_JAVA_OPTS), unless --same-jvm
                  --out     where a run without --quick writes results.md, throughput.png and latency.png
                            (default raft-bench/target/bench)
                """;
    }
}
