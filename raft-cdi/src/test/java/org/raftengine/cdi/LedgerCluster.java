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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.awaitility.core.ConditionTimeoutException;
import org.raftengine.jms.brokers.ArtemisBroker;
import org.raftengine.jpa.JpaRaftLog;

/**
 * The ledger application on a three-node cluster of JVMs ({@link LedgerNodeMain}), each with its own H2 database,
 * talking through an embedded Artemis over TCP; with sequential clients moving money between {@link #ACCOUNTS}, the
 * bookkeeping of what they submitted and what was acknowledged, and the check that the three ledgers are the same
 * one, and the right one. Closing it stops the clients, the nodes and the broker.
 */
final class LedgerCluster implements AutoCloseable {
    static final List<String> NODES = List.of("n1", "n2", "n3");
    static final List<String> ACCOUNTS = List.of("acct0", "acct1", "acct2", "acct3");
    static final long INITIAL = 1_000_000;
    static final Duration BOOT = Duration.ofSeconds(120);
    static final Duration ANSWER = Duration.ofSeconds(20);
    /** How long a client keeps re-sending one transfer before it gives up on it. */
    static final Duration SETTLE = Duration.ofSeconds(60);

    /** A tracked transfer as submitted. */
    record Move(String id, String from, String to, long amount) {
        String command() {
            return "T " + id + " " + from + " " + to + " " + amount;
        }
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

    final String run = UUID.randomUUID().toString();
    private final Path dir;
    private final int clientCount;
    /**
     * True where no node dies while transfers run: then a transfer given up on (no final answer within
     * {@link #SETTLE}, or refused) is a failure of the test, not only an unacknowledged transfer.
     */
    private final boolean everyTransferAcknowledged;
    /** Node properties on top of the common ones. */
    private final Map<String, String> properties;
    private final AtomicReferenceArray<LedgerNodeProcess> nodes = new AtomicReferenceArray<>(NODES.size());
    private final ExecutorService clientThreads;
    /** Tells the clients of {@link #runUntilStopped} to finish the transfer they are on and stop. */
    private final AtomicBoolean stop = new AtomicBoolean();
    private ArtemisBroker broker;

    /** Every transfer submitted, by id. */
    final Map<String, Move> moves = new ConcurrentHashMap<>();
    /** The log index of each acknowledged transfer, by id. */
    final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    /** Transfers given up on: no final answer within {@link #SETTLE}, or refused after an uncertain attempt. */
    final Map<String, String> unacknowledged = new ConcurrentHashMap<>();
    /** Acknowledgements through each node. */
    final AtomicIntegerArray acksThrough = new AtomicIntegerArray(NODES.size());
    /** Transfers re-sent after an attempt that may have reached the log. */
    final Map<String, Boolean> resent = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    /**
     * @param name names the run's directory under target/multi-jvm and the client threads
     * @param clients how many clients {@link #clients} makes
     * @param everyTransferAcknowledged see {@link #everyTransferAcknowledged}
     * @param properties node properties on top of the common ones
     */
    LedgerCluster(String name, int clients, boolean everyTransferAcknowledged, Map<String, String> properties) {
        this.dir = Path.of("target", "multi-jvm", name + "-" + run);
        this.clientCount = clients;
        this.everyTransferAcknowledged = everyTransferAcknowledged;
        this.properties = Map.copyOf(properties);
        this.clientThreads = Executors.newFixedThreadPool(clients, r -> {
            Thread t = new Thread(r, name + "-client");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the broker and the three nodes (their first run), and waits until each is READY. */
    void start() throws Exception {
        broker = new ArtemisBroker().start();
        for (int i = 0; i < NODES.size(); i++) {
            startNode(i, 1);
        }
        for (int i = 0; i < NODES.size(); i++) {
            nodes.get(i).awaitEvent("READY", BOOT);
        }
    }

    /** Starts node {@code i} (again, on its database), without waiting for it; returns it. */
    LedgerNodeProcess startNode(int i, int runNumber) throws Exception {
        String id = NODES.get(i);
        Map<String, String> p = new HashMap<>();
        p.put("raft.node-id", id);
        p.put("raft.members", String.join(",", NODES));
        p.put("raft.bootstrap", Boolean.toString(i == 0));
        p.put("raft.transport", "jms");
        p.put("raft.log", "jpa");
        // Shorter than the core's 10 s, so a client whose command is stuck behind a dead leader re-sends sooner.
        p.put("raft.command-timeout-ms", "5000");
        p.putAll(properties);
        p.put("test.jdbc-url", "jdbc:h2:file:" + dir.resolve("h2").resolve(id).toAbsolutePath()
                + JpaRaftLog.H2_DURABLE_URL_OPTIONS);
        p.put("test.jms-url", "tcp://127.0.0.1:" + broker.tcpPort());
        LedgerNodeProcess node = LedgerNodeProcess.start(dir, id, runNumber, p);
        nodes.set(i, node);
        return node;
    }

    LedgerNodeProcess node(int i) {
        return nodes.get(i);
    }

    Status status(int i) {
        return Status.parse(nodes.get(i).call("STATUS", ANSWER));
    }

    /** Waits until a serving node says it leads and every serving node names it; returns its position. */
    int awaitLeader() {
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
                    return at >= 0 && nodes.get(at).serving() && status(at).role().equals("LEADER") ? at : -1;
                }, at -> at >= 0);
    }

    /** The clients, client {@code c} drawing its transfers from {@code new Random(seed + c)}. */
    List<Client> clients(long seed) {
        List<Client> clients = new ArrayList<>();
        for (int c = 0; c < clientCount; c++) {
            clients.add(new Client(c, new Random(seed + c)));
        }
        return clients;
    }

    /** Each client makes {@code transfersEach} transfers (fewer once there is a problem), all within {@code limit}. */
    void runAll(List<Client> clients, int transfersEach, Duration limit) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (Client c : clients) {
            running.add(clientThreads.submit(() -> {
                for (int k = 0; k < transfersEach && problems.isEmpty(); k++) {
                    c.transfer();
                }
            }));
        }
        for (Future<?> f : running) {
            f.get(limit.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(problems).as("what the clients ran into").isEmpty();
    }

    /** The clients make transfers until {@link #stopClients}, or a problem. */
    List<Future<?>> runUntilStopped(List<Client> clients) {
        List<Future<?>> running = new ArrayList<>();
        for (Client c : clients) {
            running.add(clientThreads.submit(() -> {
                while (!stop.get() && problems.isEmpty() && !Thread.currentThread().isInterrupted()) {
                    c.transfer();
                }
            }));
        }
        return running;
    }

    void stopClients() {
        stop.set(true);
    }

    /**
     * Waits until the three nodes have applied the same index, at least that of every acknowledged transfer, then
     * checks their ledgers are the same one, and the right one.
     */
    Dump checkLedgers(String when) {
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
            assertThat(dumps.get(i).balances()).as("balances on %s and %s at index %d, %s", NODES.get(i), NODES.get(0),
                    first.applied(), when).isEqualTo(first.balances());
            assertThat(dumps.get(i).transfers()).as("applied transfers on %s and %s at index %d, %s", NODES.get(i),
                    NODES.get(0), first.applied(), when).isEqualTo(first.transfers());
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
        for (String id : acknowledged.keySet()) {
            assertThat(first.transfers()).as("acknowledged transfer %s is applied, %s", id, when).containsKey(id);
        }
        assertThat(first.balances()).as("balances: the deposits and the applied transfers, %s", when)
                .isEqualTo(expected);
        assertThat(first.balances().values().stream().mapToLong(Long::longValue).sum())
                .as("total balance, %s", when).isEqualTo(INITIAL * ACCOUNTS.size());
        return first;
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    @Override
    public void close() {
        stop.set(true);
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

    /**
     * A sequential client with a session of its own ({@link org.raftengine.core.ClientSession}), through the serving
     * nodes in turn (followers forward), moving on when one fails it. An attempt that may have reached the log (its
     * node died, or the answer was Indeterminate) makes the next one a re-submission under the same sequence, which
     * the session answers without applying the transfer again.
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

        /** One transfer, re-sent until it has a final answer or {@link #SETTLE} passes. */
        void transfer() {
            int from = random.nextInt(ACCOUNTS.size());
            int to = (from + 1 + random.nextInt(ACCOUNTS.size() - 1)) % ACCOUNTS.size();
            long seq = ++sequence;
            Move m = new Move("c" + number + "-" + seq, ACCOUNTS.get(from), ACCOUNTS.get(to), 1 + random.nextInt(100));
            moves.put(m.id(), m);
            // Each transfer starts on another node than the one before, so every node (leader or follower) gets
            // its share, the restarted one too.
            next = (int) ((number + seq) % NODES.size());
            // Once an attempt may have reached the log, later ones are re-submissions, which the cluster answers
            // from the session table if the transfer was applied.
            boolean[] uncertain = {false};
            try {
                await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                        .atMost(SETTLE).until(() -> attempt(m, seq, uncertain));
            } catch (ConditionTimeoutException e) {
                giveUp(m, "no final answer within " + SETTLE);
            }
        }

        /** True once the transfer has a final answer. */
        private boolean attempt(Move m, long seq, boolean[] uncertain) {
            int at = next;
            for (int k = 1; k < NODES.size() && !nodes.get(at).serving(); k++) {
                at = (next + k) % NODES.size();
            }
            LedgerNodeProcess node = nodes.get(at);
            next = (at + 1) % NODES.size();
            if (!node.serving()) {
                return false;
            }
            if (uncertain[0]) {
                resent.put(m.id(), true);
            }
            String answer;
            try {
                answer = node.call("SUBMIT " + session + " " + seq + " " + (uncertain[0] ? 0 : 1) + " "
                        + m.command(), ANSWER);
            } catch (LedgerNodeProcess.NoAnswer e) {
                uncertain[0] = true;
                return false;
            }
            switch (answer.split(" ", 2)[0]) {
                case "OK" -> {
                    acknowledged.put(m.id(), Long.parseLong(answer.split(" ")[1]));
                    acksThrough.incrementAndGet(at);
                    return true;
                }
                case "RETRY" -> {
                    // Certainly not in the log (no leader yet): the same attempt again, elsewhere.
                    return false;
                }
                case "INDETERMINATE" -> {
                    uncertain[0] = true;
                    return false;
                }
                case "REFUSED" -> {
                    if (uncertain[0]) {
                        // After an uncertain attempt a refusal is final as well (say, the copy that would have
                        // opened the session never reached the log): not acknowledged, so applied at most once.
                        giveUp(m, answer + " (through " + node.nodeId + ")");
                    } else {
                        problems.add("transfer " + m + " refused at its first submission through " + node.nodeId
                                + ": " + answer);
                        unacknowledged.put(m.id(), answer);
                    }
                    return true;
                }
                default -> {
                    problems.add("transfer " + m + " through " + node.nodeId + ": " + answer);
                    return true;
                }
            }
        }

        /** Counts the transfer unacknowledged, and a problem where every transfer must be acknowledged. */
        private void giveUp(Move m, String why) {
            unacknowledged.put(m.id(), why);
            if (everyTransferAcknowledged) {
                problems.add("transfer " + m + ": " + why);
            }
        }
    }
}
