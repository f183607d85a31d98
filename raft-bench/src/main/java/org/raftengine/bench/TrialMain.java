package org.raftengine.bench;

import java.time.Duration;

/**
 * One trial in a JVM of its own, started by {@link TrialProcess}: so no system inherits another's garbage,
 * heap sizing or JIT state. Runs the trial, then prints {@link #RESULT_PREFIX} and its {@link TrialResult} on
 * one line of standard output and exits (peer libraries leave non-daemon threads behind). Progress and the
 * systems' own logging go to standard error.
 *
 * <p>Arguments: system, clients, command bytes, round, warm-up milliseconds, measured milliseconds.
 */
public final class TrialMain {
    /** The start of the line that carries the result. */
    static final String RESULT_PREFIX = "TRIAL-RESULT\t";

    /** Held so that the level set on it stays (the logging framework keeps loggers weakly). */
    private static final java.util.logging.Logger ENGINE_LOG = java.util.logging.Logger.getLogger("org.raftengine");

    private TrialMain() {
    }

    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: TrialMain SYSTEM CLIENTS COMMAND_BYTES ROUND WARMUP_MS MEASURE_MS");
            System.exit(2);
        }
        ENGINE_LOG.setLevel(java.util.logging.Level.WARNING);
        int status = 1;
        try {
            TrialResult r = Trial.run(BenchSystems.create(args[0]), Integer.parseInt(args[1]),
                    Integer.parseInt(args[2]), Integer.parseInt(args[3]), Duration.ofMillis(Long.parseLong(args[4])),
                    Duration.ofMillis(Long.parseLong(args[5])));
            System.out.println(RESULT_PREFIX + r.toLine());
            status = 0;
        } catch (Exception | Error e) {
            e.printStackTrace();
        } finally {
            System.out.flush();
            System.exit(status);
        }
    }
}
