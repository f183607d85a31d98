package org.raftengine.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.lin.Input;
import org.raftengine.testkit.lin.KeyValueModel;
import org.raftengine.testkit.lin.LinearizabilityChecker;
import org.raftengine.testkit.lin.Operation;
import org.raftengine.testkit.lin.Output;

/**
 * Chaos on real processes: a standalone Artemis broker and three quarkus-demo nodes (each {@code java -jar}, an H2
 * file each), concurrent clients assigning and reading topics through random nodes for {@value #RUN_SECONDS} s while a
 * random node (every second time the leader) is SIGKILLed about every 30 to 40 s and restarted once it has been down
 * {@value #DOWN_SECONDS} s (at least four kills: on a slow machine the run goes on until the fourth, at most
 * {@value #MAX_EXTRA_SECONDS} s more).
 * Then, with every node back and caught up: every acknowledged assignment is on every node at the
 * index it was acknowledged with, every node applied the same history and no request twice, and the clients' history
 * (writes and linearizable reads of each topic) passes the testkit's linearizability checker.
 *
 * <p>An integration test (Failsafe, in {@code verify}): it runs the packaged app. The broker comes from the Artemis
 * distribution the build unpacks; nothing outside the build is needed, so it never skips.
 */
class ChaosIT {
    static final int RUN_SECONDS = Integer.getInteger("chaos.seconds", 180);
    static final int DOWN_SECONDS = 4;
    static final int CLIENTS = 4;
    static final int TOPICS = 6;
    static final int MIN_KILLS = RUN_SECONDS >= 180 ? 4 : 1;
    /** The run goes on past {@link #RUN_SECONDS} until {@link #MIN_KILLS} kills, for at most this long. */
    static final int MAX_EXTRA_SECONDS = 150;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);

    private final Random random = new Random();
    /** How the writes were answered: status (and the exception of a -1), counted. */
    private final Map<String, AtomicInteger> answers = new java.util.concurrent.ConcurrentSkipListMap<>();
    private DemoCluster cluster;
    private ScheduledExecutorService scheduler;

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One client operation as recorded, with the request id of a write. */
    record Recorded(Operation op, String requestId, long index) {
    }

    @Test
    void acknowledgedAssignmentsSurviveKilledNodesAndTheHistoryIsLinearizable() throws Exception {
        long seed = Long.getLong("chaos.seed", new Random().nextLong());
        random.setSeed(seed);
        System.out.println("ChaosIT seed " + seed + " (replay the choices with -Dchaos.seed=" + seed + ")");
        Path app = Path.of(System.getProperty("demo.app", "target/quarkus-app/quarkus-run.jar"));
        assertThat(app).as("the packaged app (ChaosIT runs after package)").exists();
        cluster = new DemoCluster(new DemoCluster.Options(Path.of("target/chaos-run"), app,
                DemoCluster.Transport.JMS, false, 320, Map.of()));
        cluster.prepare();
        cluster.start(DemoCluster.FIRST, Duration.ofSeconds(180));
        cluster.awaitLeader(null, Duration.ofSeconds(60));

        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(CLIENTS + 2);
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // no kill after the run
        scheduler = pool;
        List<Recorded> history = new CopyOnWriteArrayList<>();
        AtomicLong ids = new AtomicLong();
        List<ScheduledFuture<?>> clients = new ArrayList<>();
        List<Throwable> clientFailures = new CopyOnWriteArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Client client = new Client("c" + c, new Random(random.nextLong()), history, ids, clientFailures);
            clients.add(scheduler.scheduleWithFixedDelay(client, 0, 20, TimeUnit.MILLISECONDS));
        }

        // The nemesis: a kill 20 to 30 s after the last node came back, the victim restarted DOWN_SECONDS later.
        List<String> kills = new CopyOnWriteArrayList<>();
        List<Throwable> nemesisFailures = new CopyOnWriteArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_SECONDS);
        Nemesis nemesis = new Nemesis(end, kills, nemesisFailures);
        nemesis.scheduleNextKill();

        Awaitility.await("the chaos run of " + RUN_SECONDS + " s and " + MIN_KILLS + " kills")
                .atMost(Duration.ofSeconds(RUN_SECONDS + MAX_EXTRA_SECONDS + 200))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> System.nanoTime() - end >= 0 && nemesis.idle()
                        || System.nanoTime() - end - TimeUnit.SECONDS.toNanos(MAX_EXTRA_SECONDS) >= 0
                        || !nemesisFailures.isEmpty()
                        || !clientFailures.isEmpty());
        assertThat(nemesisFailures).as("the nemesis's failures").isEmpty();
        assertThat(clientFailures).as("the clients' failures").isEmpty();
        clients.forEach(f -> f.cancel(false));
        scheduler.shutdown();
        assertThat(scheduler.awaitTermination(60, TimeUnit.SECONDS)).as("the clients' last requests ended").isTrue();
        System.out.println("ChaosIT: " + kills.size() + " kills " + kills + ", " + history.size() + " operations;"
                + " writes answered " + answers);
        assertThat(kills).as("nodes killed").hasSizeGreaterThanOrEqualTo(MIN_KILLS);

        // Every node back and caught up.
        for (String id : DemoCluster.FIRST) {
            if (!cluster.node(id).alive()) {
                cluster.node(id).start();
            }
            cluster.node(id).awaitUp(cluster.api(), Duration.ofSeconds(180));
        }
        String leader = cluster.awaitLeader(null, Duration.ofSeconds(60));
        long commit = cluster.status(leader).orElseThrow().path("commitIndex").asLong();
        for (String id : DemoCluster.FIRST) {
            Awaitility.await(id + " applying up to " + commit).atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.status(id).map(s -> s.path("appliedIndex").asLong()).orElse(-1L) >= commit);
        }

        Map<String, Long> acknowledged = new HashMap<>();
        int ok = 0;
        int unknown = 0;
        for (Recorded r : history) {
            if (r.requestId() != null && r.op().output() instanceof Output.Ok) {
                acknowledged.put(r.requestId(), r.index());
                ok++;
            } else if (r.requestId() != null && r.op().isIndeterminate()) {
                unknown++;
            }
        }
        assertThat(ok).as("acknowledged writes").isGreaterThan(100);

        // Every node: the same history, no request twice, every acknowledged request at its index.
        List<String> reference = null;
        for (String id : DemoCluster.FIRST) {
            Api.Reply r = cluster.api().get(cluster.node(id).url(), "/assignments?limit=100000",
                    Duration.ofSeconds(60));
            assertThat(r.ok()).as("the history of " + id + ": " + r).isTrue();
            List<String> events = new ArrayList<>();
            Map<String, Long> indexOf = new HashMap<>();
            List<String> twice = new ArrayList<>();
            for (JsonNode e : r.body()) {
                if (indexOf.put(e.path("requestId").asText(), e.path("index").asLong()) != null) {
                    twice.add(e.path("requestId").asText());
                }
                events.add(e.path("index").asLong() + ":" + e.path("requestId").asText());
            }
            assertThat(twice).as("requests applied twice on " + id).isEmpty();
            List<String> lost = new ArrayList<>();
            acknowledged.forEach((request, index) -> {
                if (!index.equals(indexOf.get(request))) {
                    lost.add(request + "@" + index + " (" + id + ": " + indexOf.get(request) + ")");
                }
            });
            assertThat(lost).as("acknowledged assignments missing on " + id).isEmpty();
            if (reference == null) {
                reference = events;
            } else {
                assertThat(events).as(id + "'s applied history against n1's").isEqualTo(reference);
            }
        }

        List<Operation> ops = history.stream().map(Recorded::op).toList();
        CheckResult verdict = LinearizabilityChecker.check(ops, new KeyValueModel(), Duration.ofMinutes(3));
        System.out.println("ChaosIT: " + ops.size() + " operations (" + ok + " writes acknowledged, " + unknown
                + " writes indeterminate), " + reference.size() + " applied on each node: " + verdict);
        if (verdict instanceof CheckResult.NotLinearizable bad) {
            throw new AssertionError(bad.explanation());
        }
        assertThat(verdict.isLinearizable()).as("the checker's verdict: " + verdict).isTrue();
    }

    /** Kills a random running node on a schedule, and restarts it {@value #DOWN_SECONDS} s later. */
    private final class Nemesis {
        private final long end;
        private final List<String> kills;
        private final List<Throwable> failures;
        private final AtomicInteger busy = new AtomicInteger();

        Nemesis(long end, List<String> kills, List<Throwable> failures) {
            this.end = end;
            this.kills = kills;
            this.failures = failures;
        }

        boolean idle() {
            return busy.get() == 0;
        }

        /**
         * The next kill 15 to 25 s from now (a restart takes 5 to 15 s here: about one kill per 30 to 40 s), unless
         * it would come after the end and there were {@value #MIN_KILLS} kills already: a slow machine runs longer,
         * never with fewer kills.
         */
        void scheduleNextKill() {
            long delay = 15 + random.nextInt(11);
            if (System.nanoTime() + TimeUnit.SECONDS.toNanos(delay) - end >= 0 && kills.size() >= MIN_KILLS) {
                return;
            }
            busy.incrementAndGet();
            scheduler.schedule(() -> {
                try {
                    // A random node; every second kill the leader, so that leaders die in every run.
                    List<NodeProcess> up = cluster.running();
                    NodeProcess any = up.get(random.nextInt(up.size()));
                    NodeProcess victim = kills.size() % 2 == 1 ? cluster.leader().map(cluster::node).orElse(any) : any;
                    String role = cluster.status(victim.id()).map(s -> s.path("role").asText()).orElse("?");
                    victim.kill();
                    kills.add(victim.id() + "(" + role.toLowerCase() + ")");
                    System.out.println("ChaosIT: SIGKILL " + victim.id() + " (" + role + ")");
                    scheduler.schedule(() -> restart(victim), DOWN_SECONDS, TimeUnit.SECONDS);
                } catch (Throwable t) {
                    failures.add(t);
                    busy.decrementAndGet();
                }
            }, delay, TimeUnit.SECONDS);
        }

        private void restart(NodeProcess victim) {
            try {
                victim.start();
                victim.awaitUp(cluster.api(), Duration.ofSeconds(180));
                System.out.println("ChaosIT: " + victim.id() + " is back");
                scheduleNextKill();
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                busy.decrementAndGet();
            }
        }
    }

    /** A client: a write or a read of a random topic through a random node, each time it runs. */
    private final class Client implements Runnable {
        private final String name;
        private final Random random;
        private final List<Recorded> history;
        private final AtomicLong ids;
        private final List<Throwable> failures;
        private int sequence;

        Client(String name, Random random, List<Recorded> history, AtomicLong ids, List<Throwable> failures) {
            this.name = name;
            this.random = random;
            this.history = history;
            this.ids = ids;
            this.failures = failures;
        }

        @Override
        public void run() {
            try {
                once();
            } catch (Throwable t) {
                failures.add(t);
                throw t;
            }
        }

        private void once() {
            String topic = "topic-" + random.nextInt(TOPICS);
            NodeProcess via = cluster.node(DemoCluster.FIRST.get(random.nextInt(DemoCluster.FIRST.size())));
            long id = ids.incrementAndGet();
            if (random.nextInt(100) < 55) {
                String value = name + "-" + (++sequence);
                String requestId = UUID.randomUUID().toString();
                long invoked = System.nanoTime();
                Api.Reply r = cluster.api().send("PUT", via.url(), "/topics/" + topic,
                        Map.of("owners", List.of(value)), Map.of("Request-Id", requestId), CLIENT_TIMEOUT);
                long answered = System.nanoTime();
                answers.computeIfAbsent(r.status() == -1 ? "-1 " + r.text().replaceAll(":.*", "")
                        : Integer.toString(r.status()), k -> new AtomicInteger()).incrementAndGet();
                Output out;
                long index = -1;
                if (r.status() == 200) {
                    out = Output.OK;
                    index = r.body().path("index").asLong();
                } else if (r.status() == 503 || refused(r)) {
                    out = Output.FAILED; // certainly not in the log: no leader, or back-pressure; or never sent
                } else if (r.status() == 504 || r.status() == 500 || r.status() == -1) {
                    out = Output.UNKNOWN;
                } else {
                    throw new AssertionError("write of " + topic + " through " + via.id() + ": " + r);
                }
                history.add(new Recorded(new Operation(id, name, topic, Input.write(value), out, invoked, answered),
                        requestId, index));
            } else {
                long invoked = System.nanoTime();
                Api.Reply r = cluster.api().get(via.url(), "/topics/" + topic, CLIENT_TIMEOUT);
                long answered = System.nanoTime();
                Output out;
                if (r.status() == 200) {
                    out = Output.value(r.body().path("owners").get(0).asText());
                } else if (r.status() == 404 && r.body() != null
                        && r.body().path("type").asText().endsWith(":not-found")) {
                    out = Output.value(null);
                } else {
                    out = Output.UNKNOWN; // a read that did not answer changed nothing: the checker drops it
                }
                history.add(new Recorded(new Operation(id, name, topic, Input.read(), out, invoked, answered), null,
                        -1));
            }
        }

        /** No connection at all: the request never reached a node. */
        private boolean refused(Api.Reply r) {
            return r.status() == -1 && r.text().contains("ConnectException");
        }
    }
}
