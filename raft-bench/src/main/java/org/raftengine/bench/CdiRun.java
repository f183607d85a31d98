package org.raftengine.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.raftengine.bench.cdi.CdiNodeMain;
import org.raftengine.jms.brokers.ArtemisBroker;
import org.raftengine.jpa.JpaRaftLog;

/**
 * The CDI run ({@code bin/bench --cdi}): the full durable stack as an application deploys raft-cdi. Three nodes,
 * each a JVM of its own ({@link CdiNodeMain}: Weld SE, Narayana, Agroal, Hibernate), each on a database of its
 * own (PostgreSQL {@code raftbench_n1..n3}, or an H2 file each), messages over JMS through TCP to an Artemis
 * broker embedded in this JVM, and an observer doing one JPA update per committed command.
 *
 * <p>Per database: fresh databases, the three JVMs started, a leader awaited; then per client count C, C
 * closed-loop clients spread over the three nodes (client i on node i mod 3, each on its own counter; a follower
 * forwards to the leader), a warm-up, a measured window; commits per second and latency. After each window the
 * nodes are left to catch up and each node's counters are summed: on every node the sum must equal the commands
 * acknowledged so far (give or take the indeterminate ones).
 */
final class CdiRun {
    static final double TARGET = 5_000;
    static final int TARGET_CLIENTS = 64;
    // Three JVMs compiling Weld, Hibernate, Yasson and Artemis on two cores: after 10 s a window measured 420
    // commits/s, after 30 s 1,528-2,373, after 90 s 3,827 (raft-bench/README.md).
    static final Duration FIRST_WARMUP_EXTRA = Duration.ofSeconds(60);
    static final String PG_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    static final List<String> NODES = List.of("n1", "n2", "n3");
    /** The name of each node's recording with {@code --jfr}, dumped after each window. */
    static final String JFR_NAME = "cdibench";

    private final CdiOptions options;
    private final Path workDir;
    private final PrintStream progress;

    /** One measured window's figures. */
    record Figures(String database, int clients, String placement, double commitsPerSecond, long p50, long p99,
                   long max, long acked, long indeterminate, long other, String check, boolean checked,
                   String loadAfter) {
    }

    private CdiRun(CdiOptions options, Path workDir, PrintStream progress) {
        this.options = options;
        this.workDir = workDir;
        this.progress = progress;
    }

    static boolean run(CdiOptions options, Path workDir, PrintStream out, PrintStream progress) throws Exception {
        CdiRun run = new CdiRun(options, workDir.resolve("cdi-bench"), progress);
        String loadBefore = JmsRun.loadAverage();
        progress.println("# cdi: load average " + loadBefore + "; databases " + options.databases() + ", clients "
                + options.clients());
        List<Figures> all = new ArrayList<>();
        List<String> setups = new ArrayList<>();
        boolean ok = true;
        try (ArtemisBroker broker = new ArtemisBroker().start()) {
            for (String db : options.databases()) {
                try {
                    setups.add(run.database(db, broker, all));
                } catch (Exception e) {
                    e.printStackTrace(progress);
                    progress.println("# FAILED " + db + ": " + e);
                    setups.add("| " + db + " | FAILED: " + e + " |");
                    ok = false;
                }
            }
        }
        String loadAfter = JmsRun.loadAverage();
        out.println();
        out.println("## bin/bench --cdi");
        out.println();
        out.println("| set-up | |");
        out.println("|---|---|");
        out.println("| nodes | 3, a JVM each: java " + System.getProperty("java.version") + ", "
                + String.join(" ", nodeJvmFlags(options.nodeHeap())) + "; Weld SE 6.0.3, Narayana 7.2 (CDI extension), Agroal 2.6"
                + " (pool 8), Hibernate 7.4 (jdbc.batch_size " + 256 + "), SmallRye Config, Yasson (JSON-B codec) |");
        out.println("| raft | raft-cdi defaults: raft.log=jpa, raft.transport=jms, heartbeat 100 ms, 512 entries per"
                + " append, no RaftSnapshots bean (no compaction); a batch of committed entries applied in one JTA"
                + " transaction |");
        out.println("| broker | Artemis 2.40 embedded in the driver JVM (raft-jms-brokers' ArtemisBroker), CORE over TCP"
                + " on 127.0.0.1, non-persistent |");
        out.println("| application | @RaftCommand record Increment(counter); @Observes @Committed observer: em.find +"
                + " increment (one JPA update per command); client i on node i mod 3, on counter i |");
        for (String s : setups) {
            out.println(s);
        }
        out.println("| machine | " + Runtime.getRuntime().availableProcessors() + " cpus; load average (1/5/15 min)"
                + " before " + loadBefore + ", after " + loadAfter + " |");
        out.println();
        out.println("| database | clients | commits/s | p50 ms | p99 ms | max ms | acknowledged (total) | indeterminate |"
                + " counters check | load after |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        for (Figures f : all) {
            out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.1f | %.1f | %d | %d | %s | %s |%n", f.database(),
                    f.clients(), f.commitsPerSecond(), f.p50() / 1e6, f.p99() / 1e6, f.max() / 1e6, f.acked(),
                    f.indeterminate(), f.check(), f.loadAfter());
            ok &= f.checked();
        }
        out.println();
        Figures target = all.stream().filter(f -> f.database().equals("postgresql") && f.clients() == TARGET_CLIENTS)
                .findFirst().orElse(null);
        if (target == null) {
            out.println("target: postgresql c=64 not measured (target 5,000 commits/s)");
        } else {
            out.printf(Locale.ROOT, "target: postgresql c=64: %,.0f commits/s (target 5,000: %s)%n",
                    target.commitsPerSecond(), target.commitsPerSecond() >= TARGET ? "met" : "NOT met");
        }
        boolean allChecked = all.stream().allMatch(Figures::checked);
        out.println("counters: " + (allChecked ? "every node's counters add up to the commands acknowledged, after"
                + " every window" : "MISMATCH: see the counters check column"));
        out.flush();
        return ok;
    }

    /** The flags of every node's JVM. */
    static List<String> nodeJvmFlags(String heap) {
        return List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC", "-XX:+AlwaysPreTouch");
    }

    /** Measures one database; answers its set-up line. */
    private String database(String db, ArtemisBroker broker, List<Figures> all) throws Exception {
        Path dir = workDir.resolve(db);
        deleteTree(dir);
        Files.createDirectories(dir);
        String setup;
        List<String> urls = new ArrayList<>();
        String user;
        if (db.equals("postgresql")) {
            user = "postgres";
            setup = preparePostgres();
            for (String n : NODES) {
                urls.add("jdbc:postgresql://127.0.0.1:5432/raftbench_" + n + "?reWriteBatchedInserts=true");
            }
        } else {
            user = "sa";
            for (String n : NODES) {
                urls.add("jdbc:h2:file:" + dir.resolve("h2").resolve(n).toAbsolutePath()
                        + JpaRaftLog.H2_DURABLE_URL_OPTIONS);
            }
            setup = "| h2 | H2 2.5 embedded in each node, a fresh file each under " + dir.resolve("h2")
                    + ", " + JpaRaftLog.H2_DURABLE_URL_OPTIONS.substring(1).replace(';', ' ') + " |";
        }
        String cluster = "bench-cdi-" + db + "-" + Long.toHexString(System.nanoTime());
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < NODES.size(); i++) {
                nodes.add(Node.start(dir, options.nodeHeap(), NODES.get(i), cluster, i == 0, urls.get(i), user,
                        "tcp://127.0.0.1:" + broker.tcpPort(), options.jfrDir() != null));
            }
            for (Node n : nodes) {
                n.awaitReady(Duration.ofMinutes(3));
            }
            Node leader = awaitLeader(nodes, Duration.ofSeconds(60));
            progress.println("# cdi " + db + ": three nodes up, leader " + leader.id + "; load " + JmsRun.loadAverage());
            long acked = 0;
            long indeterminate = 0;
            boolean first = true;
            for (int c : options.clients()) {
                awaitLeader(nodes, Duration.ofSeconds(60)); // each client count starts with a leader
                List<List<String>> counters = new ArrayList<>();
                for (int i = 0; i < nodes.size(); i++) {
                    counters.add(new ArrayList<>());
                }
                for (int i = 0; i < c; i++) {
                    counters.get(i % nodes.size()).add("c" + c + "-" + i);
                }
                StringBuilder placement = new StringBuilder();
                for (int i = 0; i < nodes.size(); i++) {
                    if (!counters.get(i).isEmpty()) {
                        nodes.get(i).call("START " + String.join(",", counters.get(i)));
                        placement.append(placement.length() == 0 ? "" : " ").append(nodes.get(i).id).append(':')
                                .append(counters.get(i).size());
                    }
                }
                Duration warmup = first ? options.warmup().plus(FIRST_WARMUP_EXTRA) : options.warmup();
                first = false;
                Thread.sleep(warmup.toMillis());
                Instant windowStart = Instant.now();
                for (Node n : nodes) {
                    n.call("MARK");
                }
                Thread.sleep(options.measure().toMillis());
                if (options.jfrDir() != null) {
                    Instant windowEnd = Instant.now();
                    Files.createDirectories(options.jfrDir());
                    for (Node n : nodes) { // dumped now: the nodes end by halting, which writes nothing
                        Path file = options.jfrDir().resolve(n.id + "-" + db + "-c" + c + ".jfr").toAbsolutePath();
                        jcmd(n, "JFR.dump", "name=" + JFR_NAME, "filename=" + file);
                    }
                    progress.println("# cdi " + db + " c=" + c + ": window " + windowStart + " to " + windowEnd
                            + "; recordings so far dumped to " + options.jfrDir());
                }
                LatencyHistogram latencies = new LatencyHistogram();
                long commits = 0;
                double seconds = 0;
                long other = 0;
                acked = 0;
                indeterminate = 0;
                for (Node n : nodes) {
                    String[] w = n.call("STOPPED", "STOP").split(" ");
                    commits += Long.parseLong(w[1]);
                    seconds = Math.max(seconds, Long.parseLong(w[2]) / 1e9);
                    latencies.add(w[3]);
                    acked += Long.parseLong(w[4]);
                    indeterminate += Long.parseLong(w[5]);
                    other += Long.parseLong(w[6]);
                }
                String[] check = check(nodes, acked, indeterminate);
                double rate = commits / seconds;
                progress.printf(Locale.ROOT, "# cdi %s c=%d: %,.0f commits/s, p50 %.1f ms, p99 %.1f ms; %s%n", db, c,
                        rate, latencies.quantile(0.5) / 1e6, latencies.quantile(0.99) / 1e6, check[0]);
                all.add(new Figures(db, c, placement.toString(), rate, latencies.quantile(0.5),
                        latencies.quantile(0.99), latencies.max(), acked, indeterminate, other, check[0],
                        check[1] != null, JmsRun.loadAverage()));
            }
        } finally {
            for (Node n : nodes) {
                n.close();
            }
        }
        return setup;
    }

    /** Waits for the nodes to apply the same index, then sums each node's counters: {text, non-null if good}. */
    private String[] check(List<Node> nodes, long acked, long indeterminate) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String[] sums = new String[nodes.size()];
        while (true) {
            boolean same = true;
            for (int i = 0; i < nodes.size(); i++) {
                sums[i] = nodes.get(i).call("SUM");
                same &= sums[i].equals(sums[0]);
            }
            long sum = Long.parseLong(sums[0].split(" ")[2]);
            if (same && sum >= acked) {
                break;
            }
            if (System.nanoTime() > deadline) {
                return new String[] {"NOT caught up in 60 s: " + String.join(" / ", sums) + " vs acked " + acked,
                        null};
            }
            Thread.sleep(200);
        }
        String[] w = sums[0].split(" ");
        long sum = Long.parseLong(w[2]);
        boolean good = sum >= acked && sum <= acked + indeterminate;
        String text = String.format(Locale.ROOT, "%s: each node applied %s, counters sum %d (%s counters), acked %d",
                good ? "ok" : "MISMATCH", w[1], sum, w[3], acked);
        return new String[] {text, good ? text : null};
    }

    private Node awaitLeader(List<Node> nodes, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            String leaderId = null;
            boolean agreed = true;
            for (Node n : nodes) {
                String[] w = n.call("STATUS").split(" ");
                if (leaderId == null) {
                    leaderId = w[2];
                }
                agreed &= !w[2].equals("-") && w[2].equals(leaderId);
            }
            if (agreed) {
                for (Node n : nodes) {
                    if (n.id.equals(leaderId)) {
                        return n;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no leader agreed on within " + limit);
    }

    /** Creates raftbench_n1..n3 if absent and empties them; answers the set-up line. */
    private String preparePostgres() throws SQLException {
        String product;
        List<String> settings = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, "postgres", "");
             Statement s = c.createStatement()) {
            product = c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
            for (String n : NODES) {
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'raftbench_" + n
                        + "'")) {
                    if (!rs.next()) {
                        s.execute("CREATE DATABASE raftbench_" + n);
                    }
                }
            }
            for (String name : List.of("fsync", "synchronous_commit", "wal_sync_method", "shared_buffers",
                    "max_connections")) {
                try (ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    settings.add(name + "=" + rs.getString(1));
                }
            }
        }
        for (String n : NODES) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/raftbench_" + n,
                    "postgres", ""); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS public CASCADE");
                s.execute("CREATE SCHEMA public");
            }
        }
        return "| postgresql | " + product + " on 127.0.0.1:5432, one database per node (raftbench_n1..n3, schema"
                + " public dropped and made afresh at the start), user postgres, reWriteBatchedInserts=true; "
                + String.join(", ", settings) + " |";
    }

    private static void jcmd(Node node, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(node.process.pid())));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.waitFor(60, TimeUnit.SECONDS);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** A node's JVM, from the driver's side: one request at a time. */
    static final class Node implements AutoCloseable {
        final String id;
        final Process process;
        private final Writer stdin;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Path log;
        private long ids;

        private Node(String id, Process process, Path log) {
            this.id = id;
            this.process = process;
            this.log = log;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("@")) {
                            lines.add(line.substring(1));
                        }
                    }
                } catch (IOException ignored) {
                    // ended
                }
                lines.add("\u0000end");
            }, "cdi-node-" + id);
            reader.setDaemon(true);
            reader.start();
        }

        static Node start(Path dir, String heap, String id, String cluster, boolean bootstrap, String url, String user,
                          String jmsUrl, boolean record) throws IOException {
            Path store = dir.resolve("narayana-" + id).toAbsolutePath();
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(nodeJvmFlags(heap));
            if (record) {
                // From the start, not from the measured window: starting a recording in a running JVM (JDK 17)
                // instruments the socket and file classes and throws away the compiled code inlining them, and the
                // window then measured the recompilation (2,546 commits/s instead of 4,426-4,914).
                cmd.add("-XX:StartFlightRecording=name=" + JFR_NAME + ",settings=profile");
            }
            cmd.addAll(List.of(
                    "-DObjectStoreEnvironmentBean.objectStoreDir=" + store,
                    "-DObjectStoreEnvironmentBean.communicationStore.objectStoreDir=" + store,
                    "-DCoordinatorEnvironmentBean.transactionStatusManagerEnable=false",
                    "-DCoreEnvironmentBean.nodeIdentifier=" + id,
                    "-Draft.node-id=" + id, "-Draft.cluster-id=" + cluster, "-Draft.members=" + String.join(",", NODES),
                    "-Draft.bootstrap=" + bootstrap, "-Draft.log=jpa", "-Draft.transport=jms",
                    "-Dbench.jdbc-url=" + url, "-Dbench.jdbc-user=" + user, "-Dbench.jms-url=" + jmsUrl,
                    "-cp", System.getProperty("java.class.path"), CdiNodeMain.class.getName()));
            Path log = dir.resolve(id + ".log");
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            return new Node(id, p, log);
        }

        void awaitReady(Duration limit) throws Exception {
            expect("READY", limit);
        }

        String call(String request) throws Exception {
            return call(request.split(" ")[0], request);
        }

        /** Sends a request; answers its answer, which must start with {@code word} (STATUS, SUM, ...). */
        synchronized String call(String word, String request) throws Exception {
            long id = ++ids;
            stdin.write(id + " " + request + "\n");
            stdin.flush();
            String answer = expect(Long.toString(id), Duration.ofMinutes(3));
            String body = answer.substring(answer.indexOf(' ') + 1);
            String expected = switch (word) {
                case "START" -> "STARTED";
                case "MARK" -> "MARKED";
                default -> word;
            };
            if (!body.startsWith(expected)) {
                throw new IllegalStateException("node " + this.id + " answered " + request + " with " + body);
            }
            return body;
        }

        private String expect(String head, Duration limit) throws Exception {
            String line = lines.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null || line.equals("\u0000end") || !(line.equals(head) || line.startsWith(head + " "))) {
                throw new IllegalStateException("node " + id + ": expected " + head + ", got " + line
                        + "; its log ends:\n" + tail());
            }
            return line;
        }

        private String tail() {
            try {
                List<String> all = Files.readAllLines(log);
                return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        @Override
        public void close() {
            try {
                stdin.close(); // the node halts at the end of its stdin
            } catch (IOException ignored) {
                // already gone
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
