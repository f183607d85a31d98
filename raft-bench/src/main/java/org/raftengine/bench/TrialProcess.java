package org.raftengine.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a trial in a new JVM ({@link TrialMain}) with the same flags for every system: the heap the options
 * give ({@code -Xmx}, 2 GB by default, as a user's server might have), touched at start only when asked,
 * the JVM's default collector, and whatever {@code BENCH_TRIAL_JAVA_OPTS} adds (a JFR recording, say).
 */
final class TrialProcess {
    /** Beyond the warm-up and the measured window: JVM start, cluster start, drain and stop. */
    private static final Duration OVERHEAD_LIMIT = Duration.ofSeconds(120);

    private TrialProcess() {
    }

    /** The JVM flags every trial gets, before the class path. */
    static List<String> jvmFlags(BenchOptions options) {
        List<String> flags = new ArrayList<>();
        flags.add("-Xmx" + options.heap());
        if (options.preTouch()) {
            flags.add("-Xms" + options.heap());
            flags.add("-XX:+AlwaysPreTouch");
        }
        String extra = System.getenv("BENCH_TRIAL_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            flags.addAll(List.of(extra.trim().split("\\s+")));
        }
        return flags;
    }

    /**
     * Runs one trial of {@code system} in a JVM of its own and returns what it measured.
     *
     * @throws IOException if the JVM could not start, or ended without a result (its standard error says why)
     */
    static TrialResult run(BenchOptions options, String system, int clients, int round, Duration warmup)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags(options));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TrialMain.class.getName());
        command.add(system);
        command.add(Integer.toString(clients));
        command.add(Integer.toString(options.commandBytes()));
        command.add(Integer.toString(round));
        command.add(Long.toString(warmup.toMillis()));
        command.add(Long.toString(options.measure().toMillis()));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        AtomicReference<String> result = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(TrialMain.RESULT_PREFIX)) {
                        result.set(line.substring(TrialMain.RESULT_PREFIX.length()));
                    }
                }
            } catch (IOException ignored) {
                // the child is gone: what it said so far is all there is
            }
        }, "trial-stdout");
        reader.setDaemon(true);
        reader.start();
        long limitMillis = warmup.plus(options.measure()).plus(OVERHEAD_LIMIT).toMillis();
        try {
            if (!child.waitFor(limitMillis, TimeUnit.MILLISECONDS)) {
                throw new IOException("the trial's JVM did not end within " + limitMillis + " ms");
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } finally {
            child.destroyForcibly();
        }
        if (result.get() == null) {
            throw new IOException("the trial's JVM ended (exit " + child.exitValue() + ") without a result");
        }
        return TrialResult.parse(result.get());
    }
}
