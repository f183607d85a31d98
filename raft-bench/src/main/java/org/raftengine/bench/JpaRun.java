package org.raftengine.bench;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hibernate.stat.Statistics;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.jpa.JpaRaftLog;

/**
 * The JPA run ({@code bin/bench --jpa}): raftengine's {@link JpaRaftLog} through JTA (Narayana, an Agroal pool,
 * Hibernate), as users run it, on each database (H2 in a file, this machine's PostgreSQL):
 *
 * <ol>
 *   <li>appends: one thread appends to one log, a batch of {@code --batches} entries (of {@code --command-bytes}
 *   commands) per {@link JpaRaftLog#append} call, each call one JTA transaction; entries per second, and the
 *   latency of each append;</li>
 *   <li>a cluster: raftengine's three nodes on a {@code LocalNetwork}, each on a {@link JpaRaftLog} of the same
 *   database (three node ids, one set of tables), the harness's {@link Trial} with its closed-loop clients and
 *   the in-memory state machine the other raftengine systems use; commits per second and latency.</li>
 * </ol>
 *
 * <p>Each database's rows go under cluster ids of this run only ({@code bench-jpa-XXXXXXXX...}), deleted after each
 * measurement and again at the end, so the database does not grow from run to run; H2's file is made fresh
 * under {@code raft-bench/target/jpa-bench/h2} and removed at the end. Progress lines ({@code #}) go to standard
 * error; the set-up and the figures, as Markdown tables, to standard output.
 */
final class JpaRun {

    /** The JIT's extra warm-up in each database's first append measurement and first cluster trial. */
    static final Duration JIT_WARMUP = Duration.ofSeconds(3);
    /** The figure the issue asks for: entries per second at batch 256 on PostgreSQL. */
    static final double TARGET_ENTRIES_PER_SECOND = 50_000;
    static final int TARGET_BATCH = 256;

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final JpaOptions options;
    private final PrintStream progress;

    private JpaRun(JpaOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    /** One append measurement: a log, one batch size, one round. */
    record Appends(int batch, int round, long entries, long appends, double seconds, long p50Nanos, long p99Nanos,
                   long maxNanos, double cpuPerEntryNs, double threadCpuPerEntryNs, double allocPerEntry,
                   String statistics) {
        double entriesPerSecond() {
            return seconds > 0 ? entries / seconds : 0;
        }

        double appendsPerSecond() {
            return seconds > 0 ? appends / seconds : 0;
        }
    }

    /** One database's figures (medians over rounds), or why it was skipped or failed. */
    record Row(String database, String setup, Map<Integer, List<Appends>> appends, Map<Integer, Summary> commits,
               String skipped) {
    }

    /** Runs the mode; true if no database failed (one that cannot be reached is skipped, not failed). */
    static boolean run(JpaOptions options, Path workDir, PrintStream out, PrintStream progress) {
        String loadBefore = JmsRun.loadAverage();
        progress.printf(Locale.ROOT, "# jpa: java %s, %d cpus, max heap %d MB, databases %s, batches %s, clients %s,"
                        + " warm-up %.1f s (+%.0f s first), measure %.1f s, %d rounds, pool %d, %d-byte commands;"
                        + " load average %s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, options.databases(), options.batches(), options.clients(),
                options.warmup().toMillis() / 1e3, JIT_WARMUP.toMillis() / 1e3, options.measure().toMillis() / 1e3,
                options.rounds(), options.poolSize(), options.commandBytes(), loadBefore);
        progress.println("# jvm: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        Path dir = workDir.resolve("jpa-bench");
        JpaRun run = new JpaRun(options, progress);
        List<Row> rows = new ArrayList<>();
        boolean ok = true;
        for (String database : options.databases()) {
            Row row;
            try {
                TempDirs.deleteTree(dir.resolve("h2")); // a fresh H2 file for every run
                row = run.measure(database, dir, out);
            } catch (JpaDatabase.UnavailableException e) {
                progress.println("# SKIPPED " + database + ": " + e.getMessage());
                row = new Row(database, "", Map.of(), Map.of(), e.getMessage());
            } catch (Exception e) {
                progress.println("# FAILED " + database + ": " + e);
                e.printStackTrace(progress);
                row = new Row(database, "", Map.of(), Map.of(), "FAILED: " + e);
                ok = false;
            }
            rows.add(row);
        }
        try {
            TempDirs.deleteTree(dir.resolve("h2"));
        } catch (Exception e) {
            progress.println("# could not remove " + dir.resolve("h2") + ": " + e);
        }
        String loadAfter = JmsRun.loadAverage();
        progress.println("# jpa: done; load average " + loadAfter);
        for (String line : report(rows, options, loadBefore, loadAfter)) {
            out.println(line);
        }
        out.flush();
        return ok;
    }

    private Row measure(String database, Path dir, PrintStream out) throws Exception {
        String runId = "bench-jpa-" + UUID.randomUUID().toString().substring(0, 8);
        Set<String> clusters = new LinkedHashSet<>();
        try (JpaDatabase db = JpaDatabase.open(database, dir, options.poolSize(), options.statistics())) {
            String setup = db.describe();
            progress.println("# " + database + ": " + setup + "; rows under cluster ids " + runId + "*");
            try {
                Map<Integer, List<Appends>> appends = new LinkedHashMap<>();
                boolean first = true;
                for (int batch : options.batches()) {
                    List<Appends> rounds = new ArrayList<>();
                    for (int round = 1; round <= options.rounds(); round++) {
                        String cluster = runId + "-append";
                        clusters.add(cluster);
                        JpaRaftLog log = db.openLog(cluster, "b" + batch + "-r" + round);
                        Duration warmup = first ? options.warmup().plus(JIT_WARMUP) : options.warmup();
                        first = false;
                        Appends a = appends(db, log, batch, round, warmup);
                        rounds.add(a);
                        progress.println(progress(database, a));
                        long deleted = db.deleteCluster(cluster);
                        progress.printf(Locale.ROOT, "#   deleted %d entry rows%n", deleted);
                    }
                    appends.put(batch, rounds);
                }
                Map<Integer, Summary> commits = new LinkedHashMap<>();
                first = true;
                for (int clients : options.clients()) {
                    List<TrialResult> rounds = new ArrayList<>();
                    for (int round = 1; round <= options.rounds(); round++) {
                        String cluster = runId + "-c" + clients + "-r" + round;
                        clusters.add(cluster);
                        RaftEngineSystem system = RaftEngineSystem.withLogs("jpa:" + database, cluster,
                                id -> db.openLog(cluster, id));
                        Duration warmup = first ? options.warmup().plus(JIT_WARMUP) : options.warmup();
                        first = false;
                        TrialResult r = Trial.run(system, clients, options.commandBytes(), round, warmup,
                                options.measure());
                        progress.println(Summary.progress(r));
                        rounds.add(r);
                        long deleted = db.deleteCluster(cluster);
                        progress.printf(Locale.ROOT, "#   deleted %d entry rows%n", deleted);
                    }
                    Summary s = Summary.of(rounds);
                    out.println(s.line());
                    commits.put(clients, s);
                }
                return new Row(database, setup, appends, commits, null);
            } finally {
                long left = 0;
                for (String cluster : clusters) {
                    db.deleteCluster(cluster);
                    left += db.entryRows(cluster);
                }
                progress.printf(Locale.ROOT, "# %s: rows of %s deleted (%d entry rows left)%n", database, runId, left);
            }
        }
    }

    /** Appends batches to {@code log} from this thread: a warm-up, then the measured window. */
    private Appends appends(JpaDatabase db, JpaRaftLog log, int batch, int round, Duration warmup) {
        LatencyHistogram latency = new LatencyHistogram();
        Statistics stats = db.statistics();
        long next = log.lastIndex() + 1;
        long now = System.nanoTime();
        long warmEnd = now + warmup.toNanos();
        long end = warmEnd + options.measure().toNanos();
        long start = 0;
        long entries = 0;
        long appends = 0;
        Map<Long, Long> allocBefore = null;
        long cpuBefore = 0;
        long threadCpuBefore = 0;
        while ((now = System.nanoTime()) < end) {
            if (start == 0 && now >= warmEnd) {
                start = now;
                stats.clear();
                allocBefore = JvmMeters.allocatedByThread();
                cpuBefore = JvmMeters.processCpuNanos();
                threadCpuBefore = THREADS.getCurrentThreadCpuTime();
            }
            List<LogEntry> entriesOfBatch = batch(next, batch);
            long t0 = System.nanoTime();
            log.append(entriesOfBatch);
            long t1 = System.nanoTime();
            if (start != 0) {
                latency.record(t1 - t0);
                entries += batch;
                appends++;
            }
            next += batch;
        }
        long stop = System.nanoTime();
        double perEntry = Math.max(1, entries);
        double alloc = allocBefore == null ? 0
                : JvmMeters.allocatedBetween(allocBefore, JvmMeters.allocatedByThread()) / perEntry;
        double cpu = cpuBefore <= 0 ? -1 : (JvmMeters.processCpuNanos() - cpuBefore) / perEntry;
        double threadCpu = threadCpuBefore <= 0 ? -1 : (THREADS.getCurrentThreadCpuTime() - threadCpuBefore) / perEntry;
        String statistics = "";
        if (options.statistics() && appends > 0) {
            double n = appends;
            statistics = String.format(Locale.ROOT, "per append: %.2f statements prepared, %.1f entity inserts,"
                            + " %.2f flushes, %.2f transactions, %.2f sessions",
                    stats.getPrepareStatementCount() / n, stats.getEntityInsertCount() / n, stats.getFlushCount() / n,
                    stats.getTransactionCount() / n, stats.getSessionOpenCount() / n);
        }
        return new Appends(batch, round, entries, appends, start == 0 ? 0 : (stop - start) / 1e9,
                latency.quantile(0.50), latency.quantile(0.99), latency.max(), cpu, threadCpu, alloc, statistics);
    }

    /** {@code size} entries from {@code first} on: commands of {@code --command-bytes}, their index in front. */
    private List<LogEntry> batch(long first, int size) {
        List<LogEntry> list = new ArrayList<>(size);
        for (int k = 0; k < size; k++) {
            long index = first + k;
            byte[] command = new byte[options.commandBytes()];
            ByteBuffer.wrap(command).putLong(index);
            list.add(LogEntry.of(index, 1, EntryType.COMMAND, index, command));
        }
        return list;
    }

    private static String progress(String database, Appends a) {
        return String.format(Locale.ROOT, "# round %d %-10s batch=%-4d %9.0f entries/s  %8.0f appends/s  p50=%.3f ms"
                        + "  p99=%.3f ms  max=%.3f ms  cpu=%.1f us/entry (appending thread %.1f)  alloc=%.0f B/entry%s",
                a.round(), database, a.batch(), a.entriesPerSecond(), a.appendsPerSecond(), a.p50Nanos() / 1e6,
                a.p99Nanos() / 1e6, a.maxNanos() / 1e6, a.cpuPerEntryNs() / 1e3, a.threadCpuPerEntryNs() / 1e3,
                a.allocPerEntry(),
                a.statistics().isEmpty() ? "" : "  " + a.statistics());
    }

    /** The set-up, the append figures and the cluster figures, as Markdown; then the target line. */
    static List<String> report(List<Row> rows, JpaOptions options, String loadBefore, String loadAfter) {
        List<String> lines = new ArrayList<>();
        Runtime rt = Runtime.getRuntime();
        List<String> gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList();
        lines.add("");
        lines.add("### Set-up");
        lines.add("");
        lines.add("| database | server, URL, settings | client side |");
        lines.add("|---|---|---|");
        String client = String.format(Locale.ROOT, "JTA: Narayana %s, Agroal %s pool of %d enlisted in it;"
                        + " Hibernate %s, hibernate.jdbc.batch_size=%d, hibernate.order_inserts=true",
                version(com.arjuna.ats.jta.TransactionManager.class), version(io.agroal.api.AgroalDataSource.class),
                options.poolSize(), org.hibernate.Version.getVersionString(), JpaDatabase.JDBC_BATCH_SIZE);
        for (Row r : rows) {
            lines.add("| " + r.database() + " | " + (r.skipped() != null ? "skipped: " + r.skipped() : r.setup())
                    + " | " + (r.skipped() != null ? "" : client) + " |");
        }
        lines.add("");
        lines.add(String.format(Locale.ROOT, "JVM: %s %s (%s), %d cpus, heap max %d MB, %s, options %s; %d-byte"
                        + " commands; warm-up %.1f s (+%.0f s for each database's first), measure %.1f s, %d round(s)"
                        + " (medians); load average (1/5/15 min) %s at the start, %s at the end",
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                System.getProperty("java.vm.version"), rt.availableProcessors(), rt.maxMemory() >> 20, gcs,
                ManagementFactory.getRuntimeMXBean().getInputArguments(), options.commandBytes(),
                options.warmup().toMillis() / 1e3, JIT_WARMUP.toMillis() / 1e3, options.measure().toMillis() / 1e3,
                options.rounds(), loadBefore, loadAfter));
        if (!options.batches().isEmpty()) {
            lines.add("");
            lines.add("### Appends: one JpaRaftLog, one thread, one batch per append() (one JTA transaction)");
            lines.add("");
            lines.add("| database | batch | entries/s | appends/s | p50 ms | p99 ms | max ms | cpu us/entry"
                    + " | thread cpu us/entry | alloc B/entry |");
            lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (Row r : rows) {
                if (r.skipped() != null) {
                    lines.add("| " + r.database() + " | " + skipWord(r) + " | | | | | | | | |");
                    continue;
                }
                for (Map.Entry<Integer, List<Appends>> e : r.appends().entrySet()) {
                    List<Appends> a = e.getValue();
                    lines.add(String.format(Locale.ROOT,
                            "| %s | %d | %,.0f | %,.0f | %.3f | %.3f | %.3f | %.1f | %.1f | %,.0f |",
                            r.database(), e.getKey(), median(a, Appends::entriesPerSecond),
                            median(a, Appends::appendsPerSecond), median(a, x -> x.p50Nanos() / 1e6),
                            median(a, x -> x.p99Nanos() / 1e6),
                            a.stream().mapToLong(Appends::maxNanos).max().orElse(0) / 1e6,
                            median(a, x -> x.cpuPerEntryNs() / 1e3), median(a, x -> x.threadCpuPerEntryNs() / 1e3),
                            median(a, Appends::allocPerEntry)));
                }
            }
        }
        if (!options.clients().isEmpty()) {
            lines.add("");
            lines.add("### Three-node cluster: LocalNetwork, the three nodes' JpaRaftLogs in the one database"
                    + " (three node ids), in-memory state machine, closed-loop clients");
            lines.add("");
            lines.add("| database | clients | commits/s | p50 ms | p99 ms | max ms | cpu us/commit | retries | failed |");
            lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (Row r : rows) {
                if (r.skipped() != null) {
                    lines.add("| " + r.database() + " | " + skipWord(r) + " | | | | | | | |");
                    continue;
                }
                for (Map.Entry<Integer, Summary> e : r.commits().entrySet()) {
                    Summary s = e.getValue();
                    lines.add(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.3f | %.3f | %.3f | %.1f | %d | %d |",
                            r.database(), e.getKey(), s.throughput(), s.p50Nanos() / 1e6, s.p99Nanos() / 1e6,
                            s.maxNanos() / 1e6, s.cpuPerCommitNs() / 1e3, s.retries(), s.failures()));
                }
            }
        }
        for (Row r : rows) {
            List<Appends> a = r.appends().get(TARGET_BATCH);
            if (r.database().equals("postgresql") && a != null) {
                double eps = median(a, Appends::entriesPerSecond);
                lines.add("");
                lines.add(String.format(Locale.ROOT, "target: postgresql batch %d: %,.0f entries/s (target %,.0f: %s)",
                        TARGET_BATCH, eps, TARGET_ENTRIES_PER_SECOND,
                        eps >= TARGET_ENTRIES_PER_SECOND ? "met" : "NOT met"));
            }
        }
        return lines;
    }

    private static String skipWord(Row r) {
        return r.skipped().startsWith("FAILED") ? "FAILED" : "skipped";
    }

    private static String version(Class<?> type) {
        String v = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
        return v == null ? "?" : v;
    }

    private static double median(List<Appends> rounds, java.util.function.ToDoubleFunction<Appends> metric) {
        double[] v = rounds.stream().mapToDouble(metric).sorted().toArray();
        int n = v.length;
        return n == 0 ? 0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
