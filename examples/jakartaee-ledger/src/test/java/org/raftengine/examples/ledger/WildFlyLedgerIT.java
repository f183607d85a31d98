package org.raftengine.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.raftengine.jms.brokers.BrokerUnavailableException;
import org.raftengine.jms.brokers.StandaloneArtemis;

/**
 * The ledger WAR on three WildFly Preview 39 servers (Jakarta EE 11, standalone-full.xml), each configured by the
 * example's {@code ledger.cli} and started with a port offset, its node id and an H2 database of its own; the
 * servers share a standalone ActiveMQ Artemis broker (login required) for raft-jms-transport. Clients submit
 * deposits and transfers through any server, each movement under an id of its own that they send again, to any
 * server, until they get a definite answer. While they run, the leader's JVM gets SIGKILL; the two others go on;
 * the server is started again on its base directory and database and catches up. Then every server's ledger is
 * the same (it caught up from a snapshot: the others compact their logs every few entries), the total balance is
 * what the deposits made, each acknowledged transfer is in it exactly once at the
 * log index its answer named, the balances are what the movements make, and no entry was applied twice.
 * With {@code -Dledger.it.database=postgresql} the servers' datasources are PostgreSQL databases instead (this
 * machine's server, a new database per server; {@code ledger-postgresql.cli} after {@code ledger.cli}).
 *
 * <p>WildFly and Artemis come from Maven Central, unpacked under {@code target/} by the build (which fails when
 * it cannot resolve them). Run without them (from an IDE before a build unpacked them) the test is skipped, except
 * under {@code CI=true}, where it fails. Everything it started is stopped at the end, on failure too.
 */
class WildFlyLedgerIT {
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final List<String> ACCOUNTS = List.of("alice", "bob", "carol", "dave", "erin");
    private static final long INITIAL = 1_000_000;
    private static final int CLIENTS = 3;
    private static final Duration BOOT = Duration.ofSeconds(240);
    private static final Duration ANSWER = Duration.ofSeconds(90);
    private static final String POSTGRES_DATABASE_PREFIX = "ledger_it_";
    private static final int SNAPSHOT_EVERY = 40;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Jsonb json = JsonbBuilder.create();
    private final List<WildFlyServer> servers = new ArrayList<>();
    private StandaloneArtemis broker;
    private ExecutorService pool;

    // What the clients saw.
    private final Map<String, Submitted> submitted = new ConcurrentHashMap<>();
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final AtomicIntegerArray acksThrough = new AtomicIntegerArray(NODES.size());
    private final AtomicInteger resent = new AtomicInteger();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicBoolean clientsStop = new AtomicBoolean();

    public record Submitted(String id, String from, String to, long amount) {
    }

    /** A movement as a server's ledger shows it. */
    public record Row(String id, String from, String to, long amount, long logIndex, int reapplied) {
    }

    /** A server's ledger. */
    public record Contents(Map<String, Long> accounts, List<Row> movements) {
    }

    @AfterEach
    void stopEverything() throws Exception {
        clientsStop.set(true);
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        for (WildFlyServer s : servers) {
            s.close();
        }
        if (broker != null) {
            broker.close();
        }
        json.close();
    }

    @Test
    void threeServersKeepOneLedgerThroughAKill() throws Exception {
        long t0 = System.nanoTime();
        Path home = Path.of(System.getProperty("wildfly.home", "target/wildfly-dist/missing"));
        Path war = Path.of(System.getProperty("ledger.war", "target/jakartaee-ledger.war"));
        Path cli = Path.of(System.getProperty("ledger.cli", "src/main/wildfly/ledger.cli"));
        Path work = Path.of(System.getProperty("ledger.work", "target/it")).toAbsolutePath();
        availableOrSkip(Files.isRegularFile(home.resolve("bin/standalone.sh")) && Files.isRegularFile(war),
                "no WildFly distribution at " + home + " or no WAR at " + war + " (the build unpacks WildFly in"
                        + " pre-integration-test)");
        deleteTree(work);
        Files.createDirectories(work);

        try {
            broker = StandaloneArtemis.createAndStart(work);
        } catch (BrokerUnavailableException e) {
            availableOrSkip(false, "no standalone Artemis broker: " + e.getMessage());
        }
        long brokerUp = System.nanoTime();

        // One configured standalone/ for all: ledger.cli is the same on every server.
        boolean postgres = "postgresql".equalsIgnoreCase(System.getProperty("ledger.it.database", "h2"));
        List<Path> scripts = new ArrayList<>(List.of(cli));
        if (postgres) {
            createPostgresDatabases();
            scripts.add(Path.of(System.getProperty("ledger.postgresql.cli", "src/main/wildfly/ledger-postgresql.cli")));
        }
        Path configured = configure(home, scripts, work);
        long configuredAt = System.nanoTime();
        List<Integer> offsets = WildFlyServer.freeOffsets(NODES.size());
        for (int i = 0; i < NODES.size(); i++) {
            String node = NODES.get(i);
            Path base = WildFlyServer.copyBaseDir(configured, work.resolve(node));
            Files.copy(war, base.resolve("deployments/jakartaee-ledger.war"), StandardCopyOption.REPLACE_EXISTING);
            List<String> props = new ArrayList<>(List.of("-Draft.node-id=" + node,
                    "-Dledger.broker.port=" + broker.port(),
                    // Snapshots (LedgerSnapshots) and compaction every few entries, so the killed server's
                    // entries are compacted away on the others while it is down: it catches up from a snapshot.
                    "-Draft.snapshot.threshold-entries=" + SNAPSHOT_EVERY));
            if (postgres) {
                Files.copy(Path.of(System.getProperty("ledger.postgresql.driver", "target/jdbc/postgresql.jar")),
                        base.resolve("deployments/postgresql.jar"), StandardCopyOption.REPLACE_EXISTING);
                props.add("-Dledger.db.name=" + POSTGRES_DATABASE_PREFIX + node);
            }
            if (i == 0) {
                props.add("-Draft.bootstrap=true"); // exactly one server creates the cluster
            }
            servers.add(new WildFlyServer(node, home, base, offsets.get(i), props,
                    Map.of("RAFT_JMS_PASSWORD", broker.password())));
        }
        for (WildFlyServer s : servers) {
            s.start();
        }
        for (WildFlyServer s : servers) {
            awaitReady(s);
        }
        int firstLeader = awaitLeader();
        long booted = System.nanoTime();

        // Deposits, each through another server.
        for (int k = 0; k < ACCOUNTS.size(); k++) {
            String id = "deposit-" + ACCOUNTS.get(k);
            String answer = definitely(id, "deposits", json.toJson(Map.of("id", id, "account", ACCOUNTS.get(k),
                    "amount", INITIAL)), k % NODES.size(), new Random(k));
            assertThat(answer).startsWith(id + " applied at ");
        }
        long seed = new Random().nextLong();
        System.out.println("WildFly ledger test: seed " + seed + ", first leader " + NODES.get(firstLeader));

        // Transfers with every server up: 10 per client.
        pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> calm = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            calm.add(pool.submit(() -> runClient(client, new Random(seed + client), 10)));
        }
        for (Future<?> f : calm) {
            f.get(5, TimeUnit.MINUTES);
        }
        assertThat(problems).as("what the clients ran into").isEmpty();
        assertThat(acknowledged).hasSize(ACCOUNTS.size() + CLIENTS * 10);
        Contents before = awaitSameLedgers("with every server up");
        long calmDone = System.nanoTime();

        // Clients keep going; the leader's JVM gets SIGKILL; the two others go on; it comes back.
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            running.add(pool.submit(() -> runClient(client + CLIENTS, new Random(seed * 31 + client),
                    Integer.MAX_VALUE)));
        }
        awaitAcks(acknowledged.size() + 10, Duration.ofSeconds(60));
        int killed = awaitLeader();
        WildFlyServer victim = servers.get(killed);
        victim.kill();
        long killedAt = System.nanoTime();
        int acksAtKill = acknowledged.size();
        // Far enough beyond the killed server's log that the others compact past it (every SNAPSHOT_EVERY
        // entries, keeping as many behind each snapshot).
        awaitAcks(acksAtKill + 3 * SNAPSHOT_EVERY, Duration.ofSeconds(180)); // about 50 s on a loaded machine
        int acksWhileDown = acknowledged.size() - acksAtKill;

        victim.start();
        awaitReady(victim);
        long restartedAt = System.nanoTime();
        int throughVictim = acksThrough.get(killed);
        await("transfers acknowledged through the restarted " + victim.node).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> acksThrough.get(killed) >= throughVictim + 3 || !problems.isEmpty());
        clientsStop.set(true);
        for (Future<?> f : running) {
            f.get(ANSWER.toSeconds() * 2, TimeUnit.SECONDS);
        }
        assertThat(problems).as("what the clients ran into").isEmpty();
        Map<String, Object> victimStatus = status(victim);
        assertThat(((Number) victimStatus.get("snapshotsInstalled")).longValue())
                .as("the restarted %s caught up from a snapshot: %s", victim.node, victimStatus).isPositive();

        Contents after = awaitSameLedgers("after " + victim.node + " was killed and restarted");
        check(after);
        assertThat(after.movements().size()).isGreaterThan(before.movements().size());

        System.out.printf("WildFly ledger test (" + (postgres ? "PostgreSQL" : "H2") + "): broker up in %d ms, server configured in %d ms, 3 servers booted"
                        + " and deployed in %d ms; %d deposits and %d transfers with every server up in %d ms;"
                        + " leader %s killed after %d acknowledged movements, %d acknowledged while it was down,"
                        + " restarted and deployed in %d ms; %d movements acknowledged (through n1..n3: %s),"
                        + " %d re-sent; %d in every ledger; total %d ms%n",
                ms(brokerUp - t0), ms(configuredAt - brokerUp), ms(booted - configuredAt), ACCOUNTS.size(),
                CLIENTS * 10, ms(calmDone - booted), victim.node, acksAtKill, acksWhileDown,
                ms(restartedAt - killedAt), acknowledged.size(), acksThrough, resent.get(),
                after.movements().size(), ms(System.nanoTime() - t0));
        System.out.println("WildFly ledger test: the restarted server's status " + victimStatus);
    }

    /** Every server's ledger the same (awaited), checked against what the clients were told. */
    private void check(Contents ledger) {
        Map<String, Row> byId = ledger.movements().stream().collect(Collectors.toMap(Row::id, r -> r));
        assertThat(byId).as("each movement once").hasSize(ledger.movements().size());
        assertThat(ledger.movements()).as("no entry applied twice").allSatisfy(r -> assertThat(r.reapplied()).isZero());
        assertThat(ledger.accounts().values().stream().mapToLong(Long::longValue).sum()).as("the total")
                .isEqualTo(INITIAL * ACCOUNTS.size());
        for (Map.Entry<String, String> ack : acknowledged.entrySet()) {
            Row row = byId.get(ack.getKey());
            assertThat(row).as("acknowledged %s in the ledger", ack.getKey()).isNotNull();
            assertThat(ack.getValue()).as("the answer to %s", ack.getKey())
                    .isEqualTo(ack.getKey() + " applied at " + row.logIndex());
            Submitted s = submitted.get(ack.getKey());
            if (s != null) {
                assertThat(row).as("transfer %s as submitted", s.id())
                        .isEqualTo(new Row(s.id(), s.from(), s.to(), s.amount(), row.logIndex(), 0));
            }
        }
        assertThat(acknowledged.keySet()).as("every movement in the ledger was acknowledged (clients resend until"
                + " answered)").containsExactlyInAnyOrderElementsOf(byId.keySet());
        Map<String, Long> made = new HashMap<>();
        for (Row r : ledger.movements()) {
            if (r.from() != null) {
                made.merge(r.from(), -r.amount(), Long::sum);
            }
            made.merge(r.to(), r.amount(), Long::sum);
        }
        assertThat(ledger.accounts()).as("the balances are what the movements make").isEqualTo(made);
    }

    /**
     * A client: {@code count} transfers (or until told to stop), one at a time, each sent until definitely answered,
     * to a server picked at random each time (a follower forwards to the leader).
     */
    private void runClient(int client, Random random, int count) {
        for (int i = 0; i < count && !clientsStop.get(); i++) {
            String from = ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
            String to = ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
            if (from.equals(to)) {
                i--;
                continue;
            }
            Submitted s = new Submitted("t" + client + "-" + i, from, to, 1 + random.nextInt(100));
            submitted.put(s.id(), s);
            try {
                definitely(s.id(), "transfers", json.toJson(s), random.nextInt(NODES.size()), random);
            } catch (RuntimeException | AssertionError e) {
                problems.add(s.id() + ": " + e);
                return;
            }
        }
    }

    /**
     * Sends the movement until a definite answer (200: applied; anything else fails the test, as the balances are
     * ample), starting at server {@code first}, then at random ones: a server that is down, or an answer that says
     * try again (503) or that it is not known (504), sends the same id again. Returns the answer's body.
     */
    private String definitely(String id, String path, String body, int first, Random random) {
        int[] target = {first};
        int[] attempts = {0};
        String[] answer = new String[1];
        await("a definite answer to " + id).atMost(ANSWER).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    int node = target[0];
                    target[0] = random.nextInt(NODES.size());
                    if (attempts[0]++ > 0) {
                        resent.incrementAndGet();
                    }
                    HttpResponse<String> r;
                    try {
                        r = http.send(HttpRequest.newBuilder(URI.create(servers.get(node).api() + "/" + path))
                                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                    } catch (IOException e) {
                        return false; // the server is down or the connection broke: not known, send again
                    }
                    if (r.statusCode() == 503 || r.statusCode() == 504 || r.statusCode() == 404) {
                        return false; // no leader now, not known, or not deployed yet
                    }
                    assertThat(r.statusCode()).as("the answer to %s from %s: %s", id, NODES.get(node), r.body())
                            .isEqualTo(200);
                    answer[0] = r.body();
                    acknowledged.put(id, r.body());
                    acksThrough.incrementAndGet(node);
                    return true;
                });
        return answer[0];
    }

    /**
     * A new PostgreSQL database per server on this machine's server (127.0.0.1:5432, user postgres); without the
     * server the test is skipped, except under CI=true.
     */
    private static void createPostgresDatabases() throws SQLException {
        String url = System.getProperty("ledger.postgresql.admin-url", "jdbc:postgresql://127.0.0.1:5432/postgres");
        Connection c;
        try {
            c = DriverManager.getConnection(url, "postgres", "");
        } catch (SQLException e) {
            availableOrSkip(false, "no PostgreSQL at " + url + ": " + e);
            return;
        }
        try (c; Statement s = c.createStatement()) {
            for (String node : NODES) {
                s.execute("DROP DATABASE IF EXISTS " + POSTGRES_DATABASE_PREFIX + node + " WITH (FORCE)");
                s.execute("CREATE DATABASE " + POSTGRES_DATABASE_PREFIX + node);
            }
        }
    }

    /** Runs the CLI scripts on a copy of the distribution's standalone/ (embedded, offline); returns that copy. */
    private static Path configure(Path home, List<Path> scripts, Path work) throws Exception {
        Path configured = WildFlyServer.copyBaseDir(home.resolve("standalone"), work.resolve("configured"));
        Path script = work.resolve("configure.cli");
        StringBuilder text = new StringBuilder("embed-server --server-config=standalone-full.xml --std-out=discard\n");
        for (Path cli : scripts) {
            text.append(Files.readString(cli)).append('\n');
        }
        Files.writeString(script, text + "stop-embedded-server\n");
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", home.resolve("bin/jboss-cli.sh").toString(),
                "--file=" + script).redirectErrorStream(true)
                .redirectOutput(work.resolve("configure.log").toFile());
        pb.environment().put("JBOSS_HOME", home.toString());
        pb.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + configured);
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("ledger.cli did not finish in 3 minutes; see " + work.resolve("configure.log"));
        }
        assertThat(p.exitValue()).as("ledger.cli's exit status (see %s): %s", work.resolve("configure.log"),
                Files.readString(work.resolve("configure.log"))).isZero();
        return configured;
    }

    /** Until the server answers its status: deployed, and the node started. */
    private void awaitReady(WildFlyServer s) {
        await(s.node + " deployed and its node started").atMost(BOOT).pollInterval(Duration.ofMillis(250))
                .failFast(s.node + "'s server exited; its log ends:\n" + s.logTail(40), () -> !s.isRunning())
                .until(() -> status(s) != null);
    }

    /** The index of the server that every running server names as leader. */
    private int awaitLeader() {
        String leader = await("one leader all running servers agree on").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    String seen = null;
                    for (WildFlyServer s : servers) {
                        if (!s.isRunning()) {
                            continue;
                        }
                        Map<String, Object> st = status(s);
                        Object l = st == null ? null : st.get("leader");
                        if (l == null || seen != null && !seen.equals(l)) {
                            return null;
                        }
                        seen = (String) l;
                    }
                    return seen;
                }, l -> l != null);
        return NODES.indexOf(leader);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> status(WildFlyServer s) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.api() + "/status"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? json.fromJson(r.body(), Map.class) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Contents ledger(WildFlyServer s) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.api() + "/ledger"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s's ledger: %s", s.node, r.body()).isEqualTo(200);
        return json.fromJson(r.body(), Contents.class);
    }

    /** Every server's ledger, once they are all the same (awaited: followers apply a little later). */
    private Contents awaitSameLedgers(String when) {
        List<Contents> last = new ArrayList<>();
        await("the same ledger on every server " + when).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    last.clear();
                    for (WildFlyServer s : servers) {
                        last.add(ledger(s));
                    }
                    return last.stream().distinct().count() == 1 && last.get(0).movements().size() >= acknowledged.size();
                });
        return last.get(0);
    }

    private void awaitAcks(int count, Duration limit) {
        await(count + " movements acknowledged").atMost(limit).pollInterval(Duration.ofMillis(100))
                .until(() -> acknowledged.size() >= count || !problems.isEmpty());
        assertThat(problems).as("what the clients ran into").isEmpty();
    }

    private static void availableOrSkip(boolean available, String why) {
        if (!available) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(why + " (CI=true: this test must run)");
            }
            Assumptions.abort(why);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
