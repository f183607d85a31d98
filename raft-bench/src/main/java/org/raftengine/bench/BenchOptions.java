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
 * --clients 1,16,64,256   closed-loop client counts
 * --systems a,b,c         systems, by name (see BenchSystems)
 * --warmup-seconds N      warm-up of every trial before measuring
 * --jit-warmup-seconds N  extra warm-up of each system's first trial in this JVM (the JIT's)
 * --measure-seconds N     measured period of every trial
 * --rounds N              trials of each system at each client count, interleaved; medians reported
 * --command-bytes N       command size
 * --out DIR               where a full run (not --quick) writes results.md, throughput.png and latency.png
 *                         (default: raft-bench/target/bench, from the repository root or the module)
 * </pre>
 */
public record BenchOptions(List<Integer> clients, List<String> systems, Duration warmup, Duration jitWarmup,
                           Duration measure, int rounds, int commandBytes, boolean quick, Path out) {

    public static final List<Integer> DEFAULT_CLIENTS = List.of(1, 16, 64, 256);

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
    }

    /** The full benchmark: every system, C in {1, 16, 64, 256}, 3 rounds of 10 s after 10 s of warm-up. */
    public static BenchOptions full() {
        return new BenchOptions(DEFAULT_CLIENTS, BenchSystems.ALL, Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 3, 64, false, defaultOut());
    }

    /** The quick check: C=64, raftengine and microraft, 3 short interleaved rounds. */
    public static BenchOptions quickRun() {
        return new BenchOptions(List.of(64), List.of("raftengine", "microraft"), Duration.ofSeconds(3),
                Duration.ofSeconds(4), Duration.ofSeconds(4), 3, 64, true, defaultOut());
    }

    /**
     * Parses the command line: {@code --quick} picks the quick defaults, otherwise the full ones;
     * every other option then overrides its default.
     *
     * @throws IllegalArgumentException for an unknown option or a bad value
     */
    public static BenchOptions parse(String... args) {
        boolean quick = false;
        for (String a : args) {
            if (a.equals("--quick")) {
                quick = true;
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
        for (CommandLineArgs.Option option : CommandLineArgs.parse(args, Set.of("--quick"))) {
            String name = option.name();
            String value = option.value();
            if (value == null) {
                continue; // --quick, read above
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
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        return new BenchOptions(clients, systems, warmup, jitWarmup, measure, rounds, commandBytes, quick, out);
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
                usage: bin/bench [--quick] [--clients 1,16,64,256] [--systems raftengine,raftengine-codec,microraft]
                                 [--warmup-seconds N] [--jit-warmup-seconds N] [--measure-seconds N]
                                 [--rounds N] [--command-bytes N] [--out DIR]
                  --quick   C=64 only, raftengine and microraft interleaved, 3 rounds of 4 s (under 90 s)
                  --out     where a run without --quick writes results.md, throughput.png and latency.png
                            (default raft-bench/target/bench)
                """;
    }
}
