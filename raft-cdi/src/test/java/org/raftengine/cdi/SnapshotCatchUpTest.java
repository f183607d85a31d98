package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.jms.brokers.ArtemisBroker;

/**
 * The application's snapshots across JVMs: three ledger nodes ({@link LedgerNodeMain} with {@link LedgerSnapshots})
 * snapshot every {@value #THRESHOLD} entries. A follower is SIGKILLed, the other two apply enough transfers to
 * snapshot and compact their logs past everything the follower holds, and the follower, restarted on its H2 file,
 * can only catch up through an InstallSnapshot: {@link RaftSnapshots#restore} replaces its stale ledger. Then the
 * three ledgers are identical, the total is unchanged, every transfer was applied exactly once, and the restarted
 * node's {@code raft_applied} is its applied index.
 */
class SnapshotCatchUpTest {
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final List<String> ACCOUNTS = List.of("acct0", "acct1", "acct2", "acct3");
    private static final long INITIAL = 1_000_000;
    private static final int THRESHOLD = 50;
    private static final int CLIENTS = 2;
    private static final int WHILE_AWAY = 300;
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final Duration ANSWER = Duration.ofSeconds(20);
    private static final Duration SETTLE = Duration.ofSeconds(60);

    /** A tracked transfer as submitted. */
    record Move(String id, String from, String to, long amount) {
    }

    /** A node's STATUS answer. */
    record Status(String role, String leader, long commit, long applied, long last, long first, long snapshot,
                  long taken, long installed) {
        static Status parse(String answer) {
            String[] w = answer.split(" ");
            assertThat(w).as("a status: %s", answer).hasSize(11);
            return new Status(w[1], w[2], Long.parseLong(w[4]), Long.parseLong(w[5]), Long.parseLong(w[6]),
                    Long.parseLong(w[7]), Long.parseLong(w[8]), Long.parseLong(w[9]), Long.parseLong(w[10]));
        }
    }

    private final String run = UUID.randomUUID().toString();
    private final Path dir = Path.of("target", "multi-jvm", "snapshot-" + run);
    private final AtomicReferenceArray<LedgerNodeProcess> nodes = new AtomicReferenceArray<>(NODES.size());
    private final ExecutorService clientThreads = Executors.newFixedThreadPool(CLIENTS, r -> {
        Thread t = new Thread(r, "snapshot-client");
        t.setDaemon(true);
        return t;
    });
    private ArtemisBroker broker;

    private final Map<String, Move> moves = new ConcurrentHashMap<>();
    /** The log index of each acknowledged transfer, by id. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    @AfterEach
    void end() {
        clientThreads.shutdownNow();
        for (int i = 0; i < nodes.length(); i++) {
            if (nodes.get(i) != null) {
                nodes.get(i).close();
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aFollowerBehindTheCompactedLogsCatchesUpThroughTheApplicationsSnapshot() throws Exception {
        long t0 = System.nanoTime();
        broker = new ArtemisBroker().start();
        for (int i = 0; i < NODES.size(); i++) {
            nodes.set(i, start(i, 1));
        }
        for (int i = 0; i < NODES.size(); i++) {
            nodes.get(i).awaitEvent("READY", BOOT);
        }
        int leader = awaitLeader();
        long booted = System.nanoTime();
        for (int k = 0; k < ACCOUNTS.size(); k++) {
            assertThat(nodes.get(leader).call("SUBMIT - 0 1 D " + ACCOUNTS.get(k) + " " + INITIAL, ANSWER))
                    .as("deposit into %s", ACCOUNTS.get(k)).startsWith("OK ");
        }
        List<Client> clients = new ArrayList<>();
        long seed = new Random().nextLong();
        System.out.println("snapshot catch-up test " + run + ", seed " + seed);
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(new Client(c, new Random(seed + c)));
        }
        // Some transfers everywhere first, so the follower has a ledger of its own that the snapshot must replace.
        runAll(clients, 10);
        checkLedgers("with every node up");

        int away = (leader + 1) % NODES.size();
        nodes.get(away).kill();
        long killedAt = System.nanoTime();
        // The follower's log ends at or before the last index the others held once it was dead.
        long awayLast = 0;
        for (int i = 0; i < NODES.size(); i++) {
            if (i != away) {
                awayLast = Math.max(awayLast, status(i).last());
            }
        }
        runAll(clients, WHILE_AWAY / CLIENTS);
        long compactFrom = awayLast;
        await("the two running nodes compact their logs past index " + compactFrom + ", the dead follower's last")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (int i = 0; i < NODES.size(); i++) {
                        if (i != away && status(i).first() <= compactFrom + 1) {
                            return false;
                        }
                    }
                    return true;
                });
        // Snapshots on demand where the others stand, so the one the follower gets covers every entry: nothing is
        // applied after it, and raft_applied can only be at its index through the restore's own record.
        long snapshotted = 0;
        for (int i = 0; i < NODES.size(); i++) {
            if (i != away) {
                String answer = nodes.get(i).call("SNAPSHOT", ANSWER);
                assertThat(answer).as("a snapshot on demand on %s", NODES.get(i)).startsWith("SNAPSHOT ");
                snapshotted = Math.max(snapshotted, Long.parseLong(answer.split(" ")[1]));
            }
        }
        long compactedAt = System.nanoTime();

        nodes.set(away, start(away, 2));
        nodes.get(away).awaitEvent("READY", BOOT);
        long installed = await("node " + NODES.get(away) + " installs a snapshot").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).ignoreException(LedgerNodeProcess.NoAnswer.class)
                .until(() -> status(away).installed(), n -> n >= 1);
        long caughtUpAt = System.nanoTime();
        long installedAt = snapshotted;
        // Equal at once, unless an entry came after the snapshot (a new leader's first): then raft_applied follows.
        await("node " + NODES.get(away) + " restored to index " + installedAt + ", in raft_applied too")
                .atMost(ANSWER).pollInterval(Duration.ofMillis(100)).until(() -> {
                    long applied = status(away).applied();
                    return applied >= installedAt
                            && Dump.parse(nodes.get(away).call("LEDGER", ANSWER)).applied() == applied;
                });
        // Transfers through every node again, the restarted one too: it serves from the restored ledger.
        runAll(clients, 5);

        Dump after = checkLedgers("after " + NODES.get(away) + " caught up from a snapshot");
        Status back = await("node " + NODES.get(away) + "'s applied index, as the engine and raft_applied tell it")
                .atMost(ANSWER).pollInterval(Duration.ofMillis(100))
                .until(() -> status(away), s -> s.applied() == after.applied());
        assertThat(back.snapshot()).as("the restarted node's snapshot is past what it held before")
                .isGreaterThan(compactFrom);
        assertThat(back.installed()).as("snapshots installed by the restarted node").isGreaterThanOrEqualTo(1);
        assertThat(acknowledged).as("every transfer acknowledged").hasSameSizeAs(moves);

        System.out.printf("%s: 3 JVMs booted in %d ms; %s killed at index %d; %d transfers and the compaction past"
                        + " it in %d ms; restart and InstallSnapshot (%d) in %d ms; %d transfers, applied index %d,"
                        + " snapshot index %d on %s; total %d ms%n",
                run, ms(booted - t0), NODES.get(away), compactFrom, WHILE_AWAY, ms(compactedAt - killedAt), installed,
                ms(caughtUpAt - compactedAt), acknowledged.size(), after.applied(), back.snapshot(), NODES.get(away),
                ms(System.nanoTime() - t0));
    }

    private LedgerNodeProcess start(int i, int runNumber) throws Exception {
        String id = NODES.get(i);
        Map<String, String> p = new HashMap<>();
        p.put("raft.node-id", id);
        p.put("raft.members", String.join(",", NODES));
        p.put("raft.bootstrap", Boolean.toString(i == 0));
        p.put("raft.transport", "jms");
        p.put("raft.log", "jpa");
        p.put("raft.command-timeout-ms", "5000");
        p.put("raft.snapshot.threshold-entries", Integer.toString(THRESHOLD));
        p.put(LedgerNodeMain.SNAPSHOTS, "true");
        p.put("test.jdbc-url", "jdbc:h2:file:" + dir.resolve("h2").resolve(id).toAbsolutePath() + ";WRITE_DELAY=0");
        p.put("test.jms-url", "tcp://127.0.0.1:" + broker.tcpPort());
        return LedgerNodeProcess.start(dir, id, runNumber, p);
    }

    private Status status(int i) {
        return Status.parse(nodes.get(i).call("STATUS", ANSWER));
    }

    /** Waits until a serving node says it leads and every serving node names it; returns its position. */
    private int awaitLeader() {
        return await("a leader every running node knows").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).ignoreException(LedgerNodeProcess.NoAnswer.class)
                .until(() -> {
                    String leader = null;
                    for (int i = 0; i < NODES.size(); i++) {
                        if (!nodes.get(i).serving()) {
                            continue;
                        }
                        String named = status(i).leader();
                        if (named.equals("-") || leader != null && !leader.equals(named)) {
                            return -1;
                        }
                        leader = named;
                    }
                    int at = NODES.indexOf(leader);
                    return at >= 0 && status(at).role().equals("LEADER") ? at : -1;
                }, at -> at >= 0);
    }

    private void runAll(List<Client> clients, int transfersEach) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (Client c : clients) {
            running.add(clientThreads.submit(() -> {
                for (int k = 0; k < transfersEach && problems.isEmpty(); k++) {
                    c.transfer();
                }
            }));
        }
        for (Future<?> f : running) {
            f.get(300, TimeUnit.SECONDS);
        }
        assertThat(problems).as("what the clients ran into").isEmpty();
    }

    /**
     * Waits until the three nodes have applied the same index, at least that of every acknowledged transfer, then
     * checks their ledgers are the same one, and the right one.
     */
    private Dump checkLedgers(String when) {
        long highest = acknowledged.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<Dump> dumps = await("the three nodes apply the same index, at least " + highest + ", " + when)
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    List<Dump> d = new ArrayList<>();
                    for (int i = 0; i < NODES.size(); i++) {
                        d.add(Dump.parse(nodes.get(i).call("LEDGER", ANSWER)));
                    }
                    return d;
                }, d -> d.stream().allMatch(x -> x.applied() == d.get(0).applied() && x.applied() >= highest));
        Dump first = dumps.get(0);
        for (int i = 1; i < dumps.size(); i++) {
            assertThat(dumps.get(i).balances()).as("balances on %s and %s, %s", NODES.get(i), NODES.get(0), when)
                    .isEqualTo(first.balances());
            assertThat(dumps.get(i).transfers()).as("applied transfers on %s and %s, %s", NODES.get(i), NODES.get(0),
                    when).isEqualTo(first.transfers());
        }
        Map<String, Long> expected = new TreeMap<>();
        ACCOUNTS.forEach(a -> expected.put(a, INITIAL));
        for (Map.Entry<String, Long> t : first.transfers().entrySet()) {
            Move m = moves.get(t.getKey());
            assertThat(m).as("transfer %s applied, %s, was submitted", t.getKey(), when).isNotNull();
            assertThat(t.getValue()).as("times transfer %s was applied, %s", t.getKey(), when).isEqualTo(1L);
            expected.merge(m.from(), -m.amount(), Long::sum);
            expected.merge(m.to(), m.amount(), Long::sum);
        }
        assertThat(first.transfers().keySet()).as("transfers applied, %s", when)
                .containsAll(acknowledged.keySet());
        assertThat(first.balances()).as("balances: the deposits and the applied transfers, %s", when)
                .isEqualTo(expected);
        assertThat(first.balances().values().stream().mapToLong(Long::longValue).sum())
                .as("total balance, %s", when).isEqualTo(INITIAL * ACCOUNTS.size());
        return first;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /**
     * A sequential client with a session of its own, through the running nodes in turn (followers forward). An
     * attempt that may have reached the log makes the next one a re-submission, which the session answers without
     * applying the transfer again.
     */
    final class Client {
        private final int number;
        private final String session;
        private final Random random;
        private long sequence;
        private int next;

        Client(int number, Random random) {
            this.number = number;
            this.session = "client-" + number + "-" + run;
            this.random = random;
        }

        void transfer() {
            int from = random.nextInt(ACCOUNTS.size());
            int to = (from + 1 + random.nextInt(ACCOUNTS.size() - 1)) % ACCOUNTS.size();
            long seq = ++sequence;
            Move m = new Move("c" + number + "-" + seq, ACCOUNTS.get(from), ACCOUNTS.get(to), 1 + random.nextInt(100));
            moves.put(m.id(), m);
            next = (int) ((number + seq) % NODES.size());
            boolean[] uncertain = {false};
            try {
                await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                        .atMost(SETTLE).until(() -> attempt(m, seq, uncertain));
            } catch (ConditionTimeoutException e) {
                problems.add("transfer " + m + ": no final answer within " + SETTLE);
            }
        }

        /** True once the transfer has a final answer. */
        private boolean attempt(Move m, long seq, boolean[] uncertain) {
            LedgerNodeProcess node = nodes.get(next);
            for (int k = 1; k < NODES.size() && !node.serving(); k++) {
                node = nodes.get((next + k) % NODES.size());
            }
            next = (NODES.indexOf(node.nodeId) + 1) % NODES.size();
            if (!node.serving()) {
                return false;
            }
            String answer;
            try {
                answer = node.call("SUBMIT " + session + " " + seq + " " + (uncertain[0] ? 0 : 1) + " T " + m.id()
                        + " " + m.from() + " " + m.to() + " " + m.amount(), ANSWER);
            } catch (LedgerNodeProcess.NoAnswer e) {
                uncertain[0] = true;
                return false;
            }
            switch (answer.split(" ", 2)[0]) {
                case "OK" -> {
                    acknowledged.put(m.id(), Long.parseLong(answer.split(" ")[1]));
                    return true;
                }
                case "RETRY" -> {
                    return false; // not in the log (no leader at that moment): the same attempt elsewhere
                }
                case "INDETERMINATE" -> {
                    uncertain[0] = true;
                    return false;
                }
                default -> {
                    // No node dies while transfers run here: a refusal or an error is a failure of the test.
                    problems.add("transfer " + m + " through " + node.nodeId + ": " + answer);
                    return true;
                }
            }
        }
    }
}
