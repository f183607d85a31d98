package org.raftengine.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.MessageSink;
import org.raftengine.core.spi.Transport;
import org.raftengine.jms.brokers.BrokerUnavailableException;

/**
 * The JMS run ({@code bin/bench --jms}): for each medium (the in-JVM transport with the codec, embedded
 * ActiveMQ Artemis over its in-VM and TCP acceptors, a standalone Artemis process over TCP, this machine's
 * RabbitMQ), one-way frames per second from one node to another, then commits per second of raftengine's
 * three-node cluster (in-memory logs, {@code JmsTransport}'s default configuration) at each client count,
 * through the harness's {@link Trial}: a fresh cluster (and queues) per trial.
 *
 * <p>Progress lines ({@code #}) go to standard error; each trial's summary line, then a Markdown table of
 * the figures, to standard output.
 */
final class JmsRun {

    /** Frames in flight at most in the one-way measurement. */
    static final int FRAME_WINDOW = 256;
    /** The JIT's extra warm-up in each medium's first measurement. */
    private static final Duration JIT_WARMUP = Duration.ofSeconds(3);
    /** A window that has not moved for this long is counted as a stall and opened again. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final JmsOptions options;
    private final Path workDir;
    private final PrintStream progress;

    private JmsRun(JmsOptions options, Path workDir, PrintStream progress) {
        this.options = options;
        this.workDir = workDir;
        this.progress = progress;
    }

    /** One medium's figures: frames/s, and the commit summaries by client count; or why it was skipped. */
    record Row(String medium, double framesPerSecond, long frameStalls, Map<Integer, Summary> commits,
               String skipped) {
    }

    /** Runs the mode; true if no medium failed (a skipped one, whose broker is missing here, is not a failure). */
    static boolean run(JmsOptions options, Path workDir, PrintStream out, PrintStream progress) {
        progress.printf(Locale.ROOT, "# jms: java %s, %d cpus, max heap %d MB, media %s, clients %s, warm-up %.1f s,"
                        + " measure %.1f s, %d rounds, %d-byte frames, %d-byte commands; load average %s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, options.media(), options.clients(),
                options.warmup().toMillis() / 1e3, options.measure().toMillis() / 1e3, options.rounds(),
                options.frameBytes(), options.commandBytes(), loadAverage());
        JmsRun run = new JmsRun(options, workDir, progress);
        List<Row> rows = new ArrayList<>();
        boolean ok = true;
        for (String medium : options.media()) {
            Row row;
            try {
                row = run.measure(medium, out);
            } catch (BrokerUnavailableException e) {
                progress.println("# SKIPPED " + medium + ": " + e.getMessage());
                row = new Row(medium, 0, 0, Map.of(), e.getMessage());
            } catch (Exception e) {
                progress.println("# FAILED " + medium + ": " + e);
                row = new Row(medium, 0, 0, Map.of(), "FAILED: " + e);
                ok = false;
            }
            rows.add(row);
        }
        progress.println("# jms: done; load average " + loadAverage());
        for (String line : table(rows, options.clients())) {
            out.println(line);
        }
        out.flush();
        return ok;
    }

    private Row measure(String medium, PrintStream out) throws Exception {
        try (JmsMedia.Medium m = JmsMedia.open(medium, workDir)) {
            Duration firstWarmup = options.warmup().plus(JIT_WARMUP);
            List<Double> frames = new ArrayList<>();
            long stalls = 0;
            for (int round = 1; round <= options.rounds(); round++) {
                AtomicLong stalled = new AtomicLong();
                double fps = framesPerSecond(m, round == 1 ? firstWarmup : options.warmup(), stalled);
                progress.printf(Locale.ROOT, "# round %d %-16s frames: %.0f/s%s%n", round, medium, fps,
                        stalled.get() > 0 ? " (" + stalled.get() + " stalls)" : "");
                frames.add(fps);
                stalls += stalled.get();
            }
            Map<Integer, Summary> commits = new LinkedHashMap<>();
            for (int clients : options.clients()) {
                List<TrialResult> rounds = new ArrayList<>();
                for (int round = 1; round <= options.rounds(); round++) {
                    String cluster = "bench-" + UUID.randomUUID().toString().substring(0, 8);
                    BenchSystem system = new RaftEngineSystem("jms:" + medium, cluster, id -> m.transport(cluster, id));
                    TrialResult r = Trial.run(system, clients, options.commandBytes(), round, options.warmup(),
                            options.measure());
                    progress.println(Summary.progress(r));
                    rounds.add(r);
                }
                Summary s = Summary.of(rounds);
                out.println(s.line());
                commits.put(clients, s);
            }
            return new Row(medium, median(frames), stalls, commits, null);
        }
    }

    /**
     * One-way frames per second from n1 to n2: AppendEntries with one entry of {@code --frame-bytes}, at most
     * {@link #FRAME_WINDOW} sent and not yet received, counted at the receiver over the measured window.
     */
    private double framesPerSecond(JmsMedia.Medium medium, Duration warmup, AtomicLong stalls) throws Exception {
        String cluster = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Transport n1 = medium.transport(cluster, "n1");
        Transport n2 = medium.transport(cluster, "n2");
        Semaphore window = new Semaphore(FRAME_WINDOW);
        AtomicLong received = new AtomicLong();
        MessageSink counter = message -> {
            received.incrementAndGet();
            window.release();
        };
        n1.start(message -> { });
        n2.start(counter);
        byte[] payload = new byte[options.frameBytes()];
        try {
            long warmEnd = System.nanoTime() + warmup.toNanos();
            long end = warmEnd + options.measure().toNanos();
            long start = 0;
            long receivedAtStart = 0;
            long sent = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
                if (start == 0 && now >= warmEnd) {
                    start = now;
                    receivedAtStart = received.get();
                }
                if (!window.tryAcquire(STALL_NANOS, TimeUnit.NANOSECONDS)) {
                    // Frames lost (dropped or expired): the window would never reopen by itself.
                    stalls.incrementAndGet();
                    window.release(FRAME_WINDOW - window.availablePermits());
                    continue;
                }
                sent++;
                n1.send(new AppendEntries("n1", "n2", 1, 1, sent, 1, sent,
                        List.of(LogEntry.of(sent + 1, 1, EntryType.COMMAND, sent, payload))));
            }
            return start == 0 ? 0 : (received.get() - receivedAtStart) * 1e9 / (System.nanoTime() - start);
        } finally {
            n1.stop();
            n2.stop();
        }
    }

    /** The figures as a Markdown table: frames/s, then commits/s and p50 latency per client count. */
    static List<String> table(List<Row> rows, List<Integer> clients) {
        List<String> lines = new ArrayList<>();
        StringBuilder head = new StringBuilder("| medium | frames/s |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (int c : clients) {
            head.append(" commits/s, ").append(c).append(c == 1 ? " client" : " clients").append(" | p50 ms |");
            rule.append("---:|---:|");
        }
        lines.add(head.toString());
        lines.add(rule.toString());
        for (Row r : rows) {
            StringBuilder line = new StringBuilder("| " + r.medium() + " |");
            if (r.skipped() != null) {
                line.append(" skipped: ").append(r.skipped()).append(" |");
                lines.add(line.toString());
                continue;
            }
            line.append(String.format(Locale.ROOT, " %,.0f%s |", r.framesPerSecond(),
                    r.frameStalls() > 0 ? " (" + r.frameStalls() + " stalls)" : ""));
            for (int c : clients) {
                Summary s = r.commits().get(c);
                line.append(String.format(Locale.ROOT, " %,.0f | %.2f |", s.throughput(), s.p50Nanos() / 1e6));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The machine's load averages (1, 5, 15 min), or "unknown" off Linux. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
