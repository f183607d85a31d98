package org.raftengine.bench;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The command line of the JMS run ({@code bin/bench --jms}).
 *
 * <pre>
 * --jms                  this mode: raftengine over JmsTransport on real brokers, beside the in-JVM transport
 * --media a,b            media, by name (default: every one of {@link JmsMedia#ALL})
 * --clients 1,64         closed-loop client counts for the commit measurement (default 1,64)
 * --warmup-seconds N     warm-up of every measurement (default 2; a medium's first trial gets 3 s more, for the JIT)
 * --measure-seconds N    measured period of every measurement (default 5)
 * --rounds N             trials per medium and client count; medians reported (default 1)
 * --frame-bytes N        payload of the one-way frames (default 1024)
 * --command-bytes N      command size (default 64)
 * </pre>
 */
public record JmsOptions(List<String> media, List<Integer> clients, Duration warmup, Duration measure, int rounds,
                         int frameBytes, int commandBytes) {

    public JmsOptions {
        media = List.copyOf(media);
        clients = List.copyOf(clients);
        if (media.isEmpty()) {
            throw new IllegalArgumentException("--media needs at least one medium");
        }
        for (String m : media) {
            if (!JmsMedia.ALL.contains(m)) {
                throw new IllegalArgumentException("unknown medium '" + m + "'; known: " + JmsMedia.ALL);
            }
        }
        if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("--clients needs positive counts");
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
        if (frameBytes < 0) {
            throw new IllegalArgumentException("--frame-bytes must not be negative");
        }
        if (commandBytes < 16) {
            throw new IllegalArgumentException("--command-bytes must be at least 16");
        }
    }

    /** True if the arguments ask for this mode. */
    static boolean requested(String... args) {
        return List.of(args).contains("--jms");
    }

    /**
     * Parses the arguments of this mode ({@code --jms} itself is skipped).
     *
     * @throws IllegalArgumentException for an unknown option or a bad value
     */
    public static JmsOptions parse(String... args) {
        List<String> media = JmsMedia.ALL;
        List<Integer> clients = List.of(1, 64);
        Duration warmup = Duration.ofSeconds(2);
        Duration measure = Duration.ofSeconds(5);
        int rounds = 1;
        int frameBytes = 1024;
        int commandBytes = 64;
        for (CommandLineArgs.Option option : CommandLineArgs.parse(args, Set.of("--jms"))) {
            String name = option.name();
            String value = option.value();
            if (value == null) {
                continue; // --jms itself
            }
            switch (name) {
                case "--media" -> media = List.of(value.split(","));
                case "--clients" -> clients = BenchOptions.ints(name, value);
                case "--warmup-seconds" -> warmup = BenchOptions.seconds(name, value);
                case "--measure-seconds" -> measure = BenchOptions.seconds(name, value);
                case "--rounds" -> rounds = BenchOptions.ints(name, value).get(0);
                case "--frame-bytes" -> frameBytes = BenchOptions.ints(name, value).get(0);
                case "--command-bytes" -> commandBytes = BenchOptions.ints(name, value).get(0);
                default -> throw new IllegalArgumentException("unknown option " + name + " with --jms");
            }
        }
        return new JmsOptions(media, clients, warmup, measure, rounds, frameBytes, commandBytes);
    }

    static String usage() {
        return """
                usage: bin/bench --jms [--media in-jvm,artemis-invm,artemis-tcp,artemis-process,rabbitmq]
                                 [--clients 1,64] [--warmup-seconds 2] [--measure-seconds 5] [--rounds 1]
                                 [--frame-bytes 1024] [--command-bytes 64]
                  raftengine over JmsTransport on each medium, beside the in-JVM transport with the codec:
                  one-way frames per second (one node to another, at most 256 in flight), then commits per
                  second of a three-node cluster at each client count. A broker missing here is reported
                  as skipped. RabbitMQ is this machine's, on 127.0.0.1:5672 (guest/guest).
                """;
    }
}
