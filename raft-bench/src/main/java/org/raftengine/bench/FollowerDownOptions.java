package org.raftengine.bench;

import java.time.Duration;
import java.util.Set;

/**
 * The command line of the follower-down memory run ({@code bin/bench --follower-down}).
 *
 * <pre>
 * --follower-down       this mode: raftengine's 3-node cluster, one follower stopped, clients pushing
 * --minutes N           how long the clients push (default 3; fractions allowed)
 * --sample-seconds N    how often the heap is measured after a full GC (default 5)
 * --clients N           closed-loop clients (default 64)
 * --rate N              commands per second at most, over all clients; 0 = as fast as the cluster goes
 *                       (default 50000, which kept a 3-minute run inside the heap before snapshots
 *                       compacted the logs; now the logs stay small at any rate)
 * --command-bytes N     command size (default 64)
 * </pre>
 */
public record FollowerDownOptions(Duration duration, Duration sampleEvery, int clients, int rate, int commandBytes) {

    public FollowerDownOptions {
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("--minutes must be positive");
        }
        if (sampleEvery.toMillis() < 100) {
            throw new IllegalArgumentException("--sample-seconds must be at least 0.1");
        }
        if (clients < 1) {
            throw new IllegalArgumentException("--clients must be at least 1");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must not be negative");
        }
        if (commandBytes < 16) {
            throw new IllegalArgumentException("--command-bytes must be at least 16");
        }
    }

    /** True if the arguments ask for this mode. */
    static boolean requested(String... args) {
        for (String a : args) {
            if (a.equals("--follower-down")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses the arguments of this mode ({@code --follower-down} itself is skipped).
     *
     * @throws IllegalArgumentException for an unknown option or a bad value
     */
    public static FollowerDownOptions parse(String... args) {
        Duration duration = Duration.ofMinutes(3);
        Duration sampleEvery = Duration.ofSeconds(5);
        int clients = 64;
        int rate = 50_000;
        int commandBytes = 64;
        for (CommandLineArgs.Option option : CommandLineArgs.parse(args, Set.of("--follower-down"))) {
            String name = option.name();
            String value = option.value();
            if (value == null) {
                continue; // --follower-down itself
            }
            switch (name) {
                case "--minutes" -> duration = Duration.ofMillis(Math.round(number(name, value) * 60_000));
                case "--sample-seconds" -> sampleEvery = Duration.ofMillis(Math.round(number(name, value) * 1000));
                case "--clients" -> clients = (int) whole(name, value);
                case "--rate" -> rate = (int) whole(name, value);
                case "--command-bytes" -> commandBytes = (int) whole(name, value);
                default -> throw new IllegalArgumentException("unknown option " + name + " with --follower-down");
            }
        }
        return new FollowerDownOptions(duration, sampleEvery, clients, rate, commandBytes);
    }

    private static double number(String option, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: " + value);
        }
    }

    private static long whole(String option, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a whole number: " + value);
        }
    }

    static String usage() {
        return """
                usage: bin/bench --follower-down [--minutes 3] [--sample-seconds 5] [--clients 64] [--rate 50000]
                                 [--command-bytes 64]
                  raftengine's 3-node cluster with one follower stopped, clients pushing; samples the heap after a
                  full GC and the in-memory logs' own bytes, and checks that the heap minus the logs stays flat.
                  --rate 0: as fast as the cluster goes (the never-compacted log then fills the heap in a minute or two)
                """;
    }
}
