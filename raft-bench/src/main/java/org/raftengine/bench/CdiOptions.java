package org.raftengine.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The command line of the CDI run ({@code bin/bench --cdi}).
 *
 * <pre>
 * --cdi                  this mode: three raft-cdi nodes, a JVM each, each on a database of its own, JMS over TCP
 * --databases a,b        postgresql, h2 (default: both, in that order)
 * --clients 1,16,64      closed-loop client counts (default 1,16,64)
 * --warmup-seconds N     warm-up before each measured window (default 5; the database's first gets 60 s more, for the JIT)
 * --measure-seconds N    measured window (default 10)
 * --node-heap SIZE       each node JVM's heap, -Xms and -Xmx (default 1g)
 * --jfr DIR              a JFR recording (settings=profile) of each node's JVM from its start
 * </pre>
 */
public record CdiOptions(List<String> databases, List<Integer> clients, Duration warmup, Duration measure,
                         String nodeHeap, Path jfrDir) {
    static final List<String> DATABASES = List.of("postgresql", "h2");

    public CdiOptions {
        databases = List.copyOf(databases);
        clients = List.copyOf(clients);
        if (databases.isEmpty() || !DATABASES.containsAll(databases)) {
            throw new IllegalArgumentException("--databases: one or more of " + DATABASES + ", not " + databases);
        }
        if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("--clients needs positive counts");
        }
        if (warmup.isNegative() || measure.isZero() || measure.isNegative()) {
            throw new IllegalArgumentException("--warmup-seconds must not be negative, --measure-seconds positive");
        }
    }

    static boolean requested(String... args) {
        return List.of(args).contains("--cdi");
    }

    public static CdiOptions parse(String... args) {
        List<String> databases = DATABASES;
        List<Integer> clients = List.of(1, 16, 64);
        Duration warmup = Duration.ofSeconds(5);
        Duration measure = Duration.ofSeconds(10);
        String heap = "1g";
        Path jfr = null;
        for (CommandLineArgs.Option option : CommandLineArgs.parse(args, Set.of("--cdi"))) {
            String name = option.name();
            String value = option.value();
            if (value == null) {
                continue; // --cdi itself
            }
            switch (name) {
                case "--databases" -> databases = List.of(value.split(","));
                case "--clients" -> clients = BenchOptions.ints(name, value);
                case "--warmup-seconds" -> warmup = BenchOptions.seconds(name, value);
                case "--measure-seconds" -> measure = BenchOptions.seconds(name, value);
                case "--node-heap" -> heap = value;
                case "--jfr" -> jfr = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name + " with --cdi");
            }
        }
        return new CdiOptions(databases, clients, warmup, measure, heap, jfr);
    }

    static String usage() {
        return """
                usage: bin/bench --cdi [--databases postgresql,h2] [--clients 1,16,64] [--warmup-seconds 5]
                                 [--measure-seconds 10] [--node-heap 1g] [--jfr DIR]
                  The full durable stack: three raft-cdi nodes, each a JVM of its own (Weld SE, Narayana, Agroal,
                  Hibernate), each on a database of its own (PostgreSQL raftbench_n1..n3 on 127.0.0.1:5432, or an
                  H2 file), JMS over TCP to an Artemis broker embedded in this JVM, an observer doing one JPA
                  update per command. Commits per second and latency at each client count, then a check that
                  every node's counters add up to the commands acknowledged.
                """;
    }
}
