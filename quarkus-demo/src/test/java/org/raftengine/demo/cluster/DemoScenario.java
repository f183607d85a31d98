package org.raftengine.demo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The scenario {@code bin/demo} narrates, on a {@link DemoCluster} of real processes: a leader elected, topics
 * assigned through every node, the leader SIGKILLed, a new leader and no acknowledged assignment lost, the old leader
 * restarted and caught up, a snapshot, a fourth node added that catches up from it, a leadership transfer; then
 * every node checked against every acknowledged assignment. The last line is {@code demo: OK, leader failover in X s,
 * N assignments acknowledged, 0 lost} or {@code demo: FAILED ...} (exit status 1).
 *
 * <p>Arguments: {@code --app <quarkus-run.jar> --work <dir> [--transport jms|http] [--postgres] [--keep]}.
 */
public final class DemoScenario {
    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration HTTP = Duration.ofSeconds(40);

    private final DemoCluster cluster;
    private final Api api;
    private final boolean keep;
    private final long t0 = System.nanoTime();
    /** Every acknowledged assignment: request id to (topic, owners, index). */
    private final Map<String, Ack> acknowledged = new ConcurrentHashMap<>();
    /** Per topic, the owners of its last acknowledged assignment, and owners it may have had since (indeterminate). */
    private final Map<String, Expected> expected = new ConcurrentHashMap<>();
    private final AtomicInteger indeterminate = new AtomicInteger();

    record Ack(String topic, List<String> owners, long index) {
    }

    record Expected(List<String> owners, Set<List<String>> alsoPossible) {
    }

    private DemoScenario(DemoCluster cluster, boolean keep) {
        this.cluster = cluster;
        this.api = cluster.api();
        this.keep = keep;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--app", "--work", "--transport" -> a.put(args[i], args[++i]);
                case "--postgres", "--keep" -> flags.add(args[i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        DemoCluster.Transport transport = DemoCluster.Transport.valueOf(
                a.getOrDefault("--transport", "jms").toUpperCase(Locale.ROOT));
        DemoCluster cluster = new DemoCluster(new DemoCluster.Options(Path.of(a.get("--work")),
                Path.of(a.get("--app")), transport, flags.contains("--postgres"), 320, Map.of()));
        boolean keep = flags.contains("--keep");
        DemoScenario demo = new DemoScenario(cluster, keep);
        Thread cleanup = new Thread(() -> {
            demo.interrupted = true;
            if (!keep) {
                say("stopping everything it started (interrupted)");
                cluster.close();
            }
        }, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        int status;
        try {
            status = demo.run();
            System.out.flush();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        if (keep) {
            Path pids = cluster.options().workDir().resolve("pids");
            Files.writeString(pids, cluster.pids().stream().map(String::valueOf).collect(Collectors.joining(" ")));
            say("--keep: the cluster runs on; stop it with bin/demo --stop (pids in " + pids + ")");
            for (NodeProcess n : cluster.running()) {
                say("  " + n.id() + ": " + n.url() + "/  (log " + n.log() + ")");
            }
            cluster.broker().ifPresent(b -> say("  broker: " + b.url().replace("?retryInterval=100", "")
                    + " (user " + Artemis.USER + ", password " + b.password() + ")"));
        } else {
            say("stopping everything it started");
            cluster.close();
        }
        System.out.println(demo.summary);
        System.exit(status);
    }

    /**
     * Runs the scenario on {@code cluster} (not started yet) and returns the summary line, the last line bin/demo
     * prints; leaves the cluster running (close it).
     */
    public static String run(DemoCluster cluster) {
        DemoScenario demo = new DemoScenario(cluster, false);
        demo.run();
        return demo.summary;
    }

    private String summary = "demo: FAILED before it began";
    private volatile boolean interrupted;

    private int run() {
        try {
            double failover = scenario();
            summary = String.format(Locale.ROOT, "demo: OK, leader failover in %.1f s, %d assignments acknowledged,"
                    + " 0 lost", failover, acknowledged.size());
            return 0;
        } catch (Exception | AssertionError e) {
            summary = "demo: FAILED " + (interrupted ? "interrupted (Ctrl-C or SIGTERM)" : e.getMessage());
            System.out.println("demo: failure: " + e);
            for (StackTraceElement s : e.getStackTrace()) {
                if (s.getClassName().startsWith("org.raftengine")) {
                    System.out.println("demo:     at " + s);
                }
            }
            return 1;
        }
    }

    private static void say(String line) {
        System.out.println("demo: " + line);
        System.out.flush();
    }

    private String elapsed() {
        return String.format(Locale.ROOT, "%5.1f s", (System.nanoTime() - t0) / 1e9);
    }

    private void step(String line) {
        System.out.println("demo: [" + elapsed() + "] " + line);
        System.out.flush();
    }

    private double scenario() throws Exception {
        DemoCluster.Options o = cluster.options();
        step(o.transport() == DemoCluster.Transport.JMS ? "starting a standalone ActiveMQ Artemis broker (the Maven"
                + " Central distribution) on loopback" : "no broker: the nodes send each other their frames over HTTP"
                + " (POST /raft/frames)");
        cluster.prepare();
        cluster.broker().ifPresent(b -> step("broker up on " + b.url().replace("?retryInterval=100", "")));
        String db = o.postgres() ? "a PostgreSQL schema each (" + DemoCluster.POSTGRES_URL + ", demo_n1..)"
                : "an H2 file each, durable settings";
        step("starting n1, n2, n3 (java -jar, " + db + ", transport " + o.transport().name().toLowerCase(Locale.ROOT)
                + ", frames signed with HMAC-SHA256)");
        cluster.start(DemoCluster.FIRST, START);
        String leader = cluster.awaitLeader(null, Duration.ofSeconds(60));
        step(leader + " leads term " + term(leader) + "; watch the dashboard at " + cluster.node(
                DemoCluster.FIRST.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow()).url() + "/");

        // Topics assigned through every node: a follower forwards to the leader.
        long t = System.nanoTime();
        assignMany("orders", 30, DemoCluster.FIRST, 3);
        step(String.format(Locale.ROOT, "assigned 30 topics through n1, n2 and n3 (followers forward to the leader)"
                + " in %.1f s", (System.nanoTime() - t) / 1e9));

        // Kill the leader.
        NodeProcess old = cluster.node(leader);
        List<String> survivors = DemoCluster.FIRST.stream().filter(id -> !id.equals(leader)).toList();
        step("SIGKILL the leader " + leader + " (pid " + old.pid() + ")");
        long killed = System.nanoTime();
        old.kill();
        String newLeader = cluster.awaitLeader(leader, Duration.ofSeconds(60));
        double elected = (System.nanoTime() - killed) / 1e9;
        List<String> newLeaderFirst = new ArrayList<>(List.of(newLeader));
        survivors.stream().filter(id -> !id.equals(newLeader)).forEach(newLeaderFirst::add);
        assign("payments-0", List.of("broker-1", "broker-2"), newLeaderFirst, Duration.ofSeconds(60));
        double failover = (System.nanoTime() - killed) / 1e9;
        step(String.format(Locale.ROOT, "%s leads term %d, %.1f s after the kill; it acknowledged the first"
                + " assignment after the kill %.1f s after it", newLeader, term(newLeader), elected, failover));
        assignMany("payments", 20, survivors, 2);
        step("assigned 20 more topics with " + leader + " down");
        int checked = checkAll(survivors);
        step("every one of the " + acknowledged.size() + " acknowledged assignments is on " + String.join(" and ",
                survivors) + " (" + checked + " topics, linearizable reads): 0 lost");

        // Restart the old leader: it catches up.
        t = System.nanoTime();
        step("restarting " + leader + " on its own database");
        old.start();
        old.awaitUp(api, START);
        awaitCaughtUp(leader);
        step(String.format(Locale.ROOT, "%s is back as a %s and caught up in %.1f s (applied index %d)", leader,
                role(leader).toLowerCase(Locale.ROOT), (System.nanoTime() - t) / 1e9,
                cluster.status(leader).orElseThrow().path("appliedIndex").asLong()));
        checkAll(List.of(leader));
        step(leader + " serves every acknowledged assignment");

        // Rebalancing, then a snapshot: the log is compacted.
        t = System.nanoTime();
        assignMany("orders", 30, DemoCluster.FIRST, 3);
        assignMany("clicks", 40, DemoCluster.FIRST, 4);
        step(String.format(Locale.ROOT, "rebalanced 30 topics and assigned 40 more in %.1f s", (System.nanoTime() - t)
                / 1e9));
        for (String id : DemoCluster.FIRST) {
            Api.Reply r = api.send("POST", cluster.node(id).url(), "/cluster/snapshot", null, Map.of(), HTTP);
            require(r.ok(), "snapshot on " + id + ": " + r);
        }
        String lead = cluster.awaitLeader(null, Duration.ofSeconds(30));
        JsonNode ls = cluster.status(lead).orElseThrow();
        require(ls.path("firstIndex").asLong() > 1, "the leader's log was not compacted: " + ls);
        step("snapshot on n1, n2, n3: the leader " + lead + "'s log now starts at index " + ls.path("firstIndex")
                .asLong() + " (snapshot at " + ls.path("snapshotIndex").asLong() + ")");

        // A fourth node, empty: it can only catch up from the snapshot.
        t = System.nanoTime();
        String via = DemoCluster.FIRST.stream().filter(id -> !id.equals(lead)).findFirst().orElseThrow();
        step("starting n4 with an empty database, and adding it as a voter through " + via + " (a follower: it"
                + " forwards the request to the leader)");
        cluster.start(List.of("n4"), START);
        Api.Reply added = api.send("POST", cluster.node(via).url(), "/cluster/members", Map.of("id", "n4", "role",
                "voter"), Map.of(), Duration.ofSeconds(120));
        require(added.ok(), "adding n4: " + added);
        awaitCaughtUp("n4");
        JsonNode n4 = cluster.status("n4").orElseThrow();
        require(n4.path("snapshotsInstalled").asLong() >= 1, "n4 did not install a snapshot: " + n4);
        step(String.format(Locale.ROOT, "n4 is a voter (voters %s) in %.1f s; it installed %d snapshot(s) and applied"
                + " up to %d", added.body().path("voters"), (System.nanoTime() - t) / 1e9,
                n4.path("snapshotsInstalled").asLong(), n4.path("appliedIndex").asLong()));
        checkAll(List.of("n4"));
        step("n4 serves every acknowledged assignment");

        // Leadership transfer to n4.
        String from = cluster.awaitLeader(null, Duration.ofSeconds(30));
        t = System.nanoTime();
        Api.Reply moved = api.send("POST", cluster.node("n1").url(), "/cluster/leader", Map.of("target", "n4"),
                Map.of(), HTTP);
        require(moved.ok(), "leadership transfer to n4: " + moved);
        step(String.format(Locale.ROOT, "leadership handed from %s to %s (term %d) in %.2f s", from,
                moved.body().path("leader").asText(), moved.body().path("term").asLong(),
                (System.nanoTime() - t) / 1e9));
        assignMany("audit", 10, DemoCluster.IDS, 2);
        step("assigned 10 more topics through all four nodes");

        // The end: every node against every acknowledged assignment.
        for (String id : DemoCluster.IDS) {
            awaitCaughtUp(id);
        }
        int topics = checkAll(DemoCluster.IDS);
        int events = checkHistories(DemoCluster.IDS);
        step("checked n1..n4: each serves all " + topics + " topics as last acknowledged, and holds the same "
                + events + " applied assignments in the same order, every acknowledged one at its index, none twice"
                + (indeterminate.get() > 0 ? " (" + indeterminate.get() + " answered indeterminate and resent)" : ""));
        return failover;
    }

    private long term(String id) {
        return cluster.status(id).map(s -> s.path("term").asLong()).orElse(-1L);
    }

    private String role(String id) {
        return cluster.status(id).map(s -> s.path("role").asText()).orElse("?");
    }

    private static void require(boolean ok, String failure) {
        if (!ok) {
            throw new AssertionError(failure);
        }
    }

    /** {@code count} topics {@code prefix-i} assigned through {@code via}, round robin, by {@code threads} clients. */
    private void assignMany(String prefix, int count, List<String> via, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int k = i;
                done.add(pool.submit(() -> {
                    List<String> owners = List.of("broker-" + (k % 5 + 1), "broker-" + ((k + 2) % 5 + 1));
                    assign(prefix + "-" + k, owners, List.of(via.get(k % via.size())), HTTP);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Assigns until acknowledged, through the nodes {@code via} in turn: an answer that says it was certainly not
     * done (503, no answer) is tried again; an indeterminate one (504) too, as a new request, and the topic may then
     * hold either owners. Fails after {@code atMost}.
     */
    private void assign(String topic, List<String> owners, List<String> via, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        int attempt = 0;
        while (true) {
            String node = via.get(attempt++ % via.size());
            String requestId = UUID.randomUUID().toString();
            Api.Reply r = api.send("PUT", cluster.node(node).url(), "/topics/" + topic, Map.of("owners", owners),
                    Map.of("Request-Id", requestId), HTTP);
            if (r.ok()) {
                acknowledged.put(requestId, new Ack(topic, owners, r.body().path("index").asLong()));
                expected.put(topic, new Expected(owners, Set.of()));
                return;
            }
            if (r.status() == 504) {
                indeterminate.incrementAndGet();
                Expected before = expected.get(topic);
                if (before != null) {
                    Set<List<String>> possible = new HashSet<>(before.alsoPossible());
                    possible.add(owners);
                    expected.put(topic, new Expected(before.owners(), possible));
                }
            } else if (r.status() != 503 && r.status() != 502 && r.status() != -1) {
                throw new AssertionError("assigning " + topic + " through " + node + ": " + r);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("assigning " + topic + " was not acknowledged within " + atMost.toSeconds()
                        + " s; last answer from " + node + ": " + r);
            }
            // Certainly not done (no leader, back-pressure, a node down): ask again once some node leads.
            Wait.until("a leader to assign " + topic + " through", Duration.ofSeconds(60),
                    () -> cluster.leader().isPresent());
        }
    }

    /** Waits until the node has applied everything the leader has committed. */
    private void awaitCaughtUp(String id) {
        Wait.until(id + " applying up to the leader's commit index", START, () -> {
            String l = cluster.leader().orElse(null);
            if (l == null) {
                return false;
            }
            long commit = cluster.status(l).map(s -> s.path("commitIndex").asLong()).orElse(Long.MAX_VALUE);
            long applied = cluster.status(id).map(s -> s.path("appliedIndex").asLong()).orElse(-1L);
            return applied >= commit;
        });
    }

    /** Every topic as last acknowledged, read (linearizably) from each of {@code ids}; returns the topics checked. */
    private int checkAll(List<String> ids) {
        for (String id : ids) {
            Api.Reply r = readTopics(id);
            Map<String, List<String>> seen = new LinkedHashMap<>();
            for (JsonNode t : r.body().path("topics")) {
                List<String> owners = new ArrayList<>();
                t.path("owners").forEach(o -> owners.add(o.asText()));
                seen.put(t.path("topic").asText(), owners);
            }
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, Expected> e : expected.entrySet()) {
                List<String> has = seen.get(e.getKey());
                if (has == null || !has.equals(e.getValue().owners()) && !e.getValue().alsoPossible().contains(has)) {
                    lost.add(e.getKey() + " (expected " + e.getValue().owners() + ", " + id + " has " + has + ")");
                }
            }
            require(lost.isEmpty(), lost.size() + " acknowledged assignments lost on " + id + ": " + lost);
        }
        return expected.size();
    }

    private Api.Reply readTopics(String id) {
        Api.Reply[] last = new Api.Reply[1];
        Wait.until("a linearizable read of the topics on " + id, Duration.ofSeconds(60), () -> {
            last[0] = api.get(cluster.node(id).url(), "/topics", HTTP);
            return last[0].ok();
        });
        return last[0];
    }

    /**
     * Every node's applied history: the same events in the same order on each, every acknowledged request at its
     * index, no request id twice. Returns the number of events.
     */
    private int checkHistories(List<String> ids) {
        List<String> reference = null;
        String referenceNode = null;
        for (String id : ids) {
            Api.Reply r = api.get(cluster.node(id).url(), "/assignments?limit=100000", HTTP);
            require(r.ok(), "the history of " + id + ": " + r);
            List<String> events = new ArrayList<>();
            Map<String, Long> indexOf = new HashMap<>();
            for (JsonNode e : r.body()) {
                String requestId = e.path("requestId").asText();
                require(indexOf.put(requestId, e.path("index").asLong()) == null, "request " + requestId
                        + " applied twice on " + id);
                events.add(e.path("index").asLong() + ":" + requestId);
            }
            for (Map.Entry<String, Ack> a : acknowledged.entrySet()) {
                Long at = indexOf.get(a.getKey());
                require(at != null && at == a.getValue().index(), "acknowledged request " + a.getKey() + " ("
                        + a.getValue() + ") is " + (at == null ? "missing" : "at index " + at) + " on " + id);
            }
            if (reference == null) {
                reference = events;
                referenceNode = id;
            } else {
                require(reference.equals(events), id + " applied another history than " + referenceNode);
            }
        }
        return reference == null ? 0 : reference.size();
    }
}
