package org.raftengine.bench;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The command line of the JPA run ({@code bin/bench --jpa}).
 *
 * <pre>
 * --jpa                   this mode: raftengine's JpaRaftLog (JTA, Hibernate) on H2 in a file and PostgreSQL
 * --databases a,b         databases, by name (default: every one of {@link JpaDatabase#ALL})
 * --batches 1,16,256      entries per append in the append measurement (default 1,16,256)
 * --clients 64            closed-loop client counts for the three-node cluster (default 64)
 * --warmup-seconds N      warm-up of every measurement (default 2; a database's first gets 3 s more, for the JIT)
 * --measure-seconds N     measured period of every measurement (default 5)
 * --rounds N              measurements of each; medians reported (default 1)
 * --pool-size N           connections in the pool (default 16)
 * --command-bytes N       command size (default 64)
 * --hibernate-statistics  turn on Hibernate's statistics and print statements, inserts and flushes per append
 * </pre>
 */
public record JpaOptions(List<String> databases, List<Integer> batches, List<Integer> clients, Duration warmup,
                         Duration measure, int rounds, int poolSize, int commandBytes, boolean statistics) {

    public JpaOptions {
        databases = List.copyOf(databases);
        batches = List.copyOf(batches);
        clients = List.copyOf(clients);
        if (databases.isEmpty()) {
            throw new IllegalArgumentException("--databases needs at least one database");
        }
        for (String d : databases) {
            if (!JpaDatabase.ALL.contains(d)) {
                throw new IllegalArgumentException("unknown database '" + d + "'; known: " + JpaDatabase.ALL);
            }
        }
        if (batches.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--batches needs positive sizes");
        }
        if (clients.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("--clients needs positive counts");
        }
        if (batches.isEmpty() && clients.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure: --batches and --clients are both empty");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup-seconds must not be negative");
        }
        if (measure.isZero() || measure.isNegative()) {
            throw new IllegalArgumentException("--measure-seconds must be positive");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1");
        }
        if (poolSize < 2) {
            throw new IllegalArgumentException("--pool-size must be at least 2");
        }
        if (commandBytes < 16) {
            throw new IllegalArgumentException("--command-bytes must be at least 16");
        }
    }

    /** True if the arguments ask for this mode. */
    static boolean requested(String... args) {
        return List.of(args).contains("--jpa");
    }

    /**
     * Parses the arguments of this mode ({@code --jpa} itself is skipped). An empty {@code --batches} or
     * {@code --clients} ({@code --clients ""}) leaves that part out.
     *
     * @throws IllegalArgumentException for an unknown option or a bad value
     */
    public static JpaOptions parse(String... args) {
        List<String> databases = JpaDatabase.ALL;
        List<Integer> batches = List.of(1, 16, 256);
        List<Integer> clients = List.of(64);
        Duration warmup = Duration.ofSeconds(2);
        Duration measure = Duration.ofSeconds(5);
        int rounds = 1;
        int poolSize = 16;
        int commandBytes = 64;
        boolean statistics = false;
        for (CommandLineArgs.Option option : CommandLineArgs.parse(args, Set.of("--jpa", "--hibernate-statistics"))) {
            String name = option.name();
            String value = option.value();
            if (value == null) {
                statistics |= name.equals("--hibernate-statistics");
                continue; // --jpa itself
            }
            switch (name) {
                case "--databases" -> databases = List.of(value.split(","));
                case "--batches" -> batches = value.isBlank() ? List.of() : BenchOptions.ints(name, value);
                case "--clients" -> clients = value.isBlank() ? List.of() : BenchOptions.ints(name, value);
                case "--warmup-seconds" -> warmup = BenchOptions.seconds(name, value);
                case "--measure-seconds" -> measure = BenchOptions.seconds(name, value);
                case "--rounds" -> rounds = BenchOptions.ints(name, value).get(0);
                case "--pool-size" -> poolSize = BenchOptions.ints(name, value).get(0);
                case "--command-bytes" -> commandBytes = BenchOptions.ints(name, value).get(0);
                default -> throw new IllegalArgumentException("unknown option " + name + " with --jpa");
            }
        }
        return new JpaOptions(databases, batches, clients, warmup, measure, rounds, poolSize, commandBytes,
                statistics);
    }

    static String usage() {
        return """
                usage: bin/bench --jpa [--databases h2,postgresql] [--batches 1,16,256] [--clients 64]
                                 [--warmup-seconds 2] [--measure-seconds 5] [--rounds 1] [--pool-size 16]
                                 [--command-bytes 64] [--hibernate-statistics]
                  raftengine's JpaRaftLog through JTA (Narayana, Agroal, Hibernate) on H2 in a file and this
                  machine's PostgreSQL (127.0.0.1:5432, database test, user postgres): entries appended per
                  second at each batch size (one batch per append), then commits per second of a three-node
                  cluster (LocalNetwork, the three logs in one database) at each client count. A database
                  that cannot be reached is reported as skipped. The rows written are deleted at the end.
                """;
    }
}
