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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.jms.brokers.ArtemisBroker;

/**
 * The ledger application on a three-node cluster of JVMs ({@link LedgerNodeMain}), each with its own H2 database,
 * talking through an embedded Artemis over TCP. Deposits and tracked transfers go in through every node (followers
 * forward), and every node ends up with the same ledger, the one the acknowledged commands make. Then the leader
 * is SIGKILLed while clients keep moving money, and restarted on its database: it catches up, the three ledgers are
 * identical again, the total is what the deposits made, and each transfer was applied exactly once if acknowledged
 * (at most once if not), which the per-transfer counts show and the balances confirm.
 *
 * <p>Clients are sequential, one {@link org.raftengine.core.ClientSession} each: a transfer whose answer is lost
 * (its node died, or the answer was Indeterminate) is re-sent under its sequence through another node.
 */
class MultiJvmLedgerTest {
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final List<String> ACCOUNTS = List.of("acct0", "acct1", "acct2", "acct3");
    private static final long INITIAL = 1_000_000;
    private static final int CLIENTS = 3;
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final Duration ANSWER = Duration.ofSeconds(20);
    /** How long a client keeps re-sending one transfer before it counts it as unacknowledged. */
    private static final Duration SETTLE = Duration.ofSeconds(60);

    /** A tracked transfer as submitted. */
    record Move(String id, String from, String to, long amount) {
        String command() {
            return "T " + id + " " + from + " " + to + " " + amount;
        }
    }

    private final String run = UUID.randomUUID().toString();
    private final Path dir = Path.of("target", "multi-jvm", "ledger-" + run);
    private final AtomicReferenceArray<LedgerNodeProcess> nodes = new AtomicReferenceArray<>(NODES.size());
    private final ExecutorService clientThreads = Executors.newFixedThreadPool(CLIENTS, r -> {
        Thread t = new Thread(r, "ledger-client");
        t.setDaemon(true);
        return t;
    });
    /** Tells the clients of the second part to finish the transfer they are on and stop. */
    private final AtomicBoolean stop = new AtomicBoolean();
    private ArtemisBroker broker;

    /** Every transfer submitted, by id. */
    private final Map<String, Move> moves = new ConcurrentHashMap<>();
    /** The log index of each acknowledged transfer, by id. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    /** Transfers given up on: no final answer within {@link #SETTLE}, or refused after an uncertain attempt. */
    private final Map<String, String> unacknowledged = new ConcurrentHashMap<>();
    /** Acknowledgements through each node. */
    private final AtomicIntegerArray acksThrough = new AtomicIntegerArray(NODES.size());
    /** Transfers re-sent after an attempt that may have reached the log. */
    private final Map<String, Boolean> resent = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    @AfterEach
    void end() throws Exception {
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

    @Test
    void threeJvmsKeepOneLedgerThroughTheLeadersKill() throws Exception {
        long t0 = System.nanoTime();
        broker = new ArtemisBroker().start();
        for (int i = 0; i < NODES.size(); i++) {
            nodes.set(i, start(i, 1));
        }
        for (int i = 0; i < NODES.size(); i++) {
            nodes.get(i).awaitEvent("READY", BOOT);
        }
        int firstLeader = awaitLeader();
        long booted = System.nanoTime();

        for (int k = 0; k < ACCOUNTS.size(); k++) {
            // Plain RaftClient submissions, through each node in turn: followers forward.
            String answer = nodes.get(k % NODES.size()).call("SUBMIT - 0 1 D " + ACCOUNTS.get(k) + " " + INITIAL,
                    ANSWER);
            assertThat(answer).as("deposit into %s", ACCOUNTS.get(k)).startsWith("OK ").endsWith(" " + INITIAL);
        }
        List<Client> clients = new ArrayList<>();
        long seed = new Random().nextLong();
        System.out.println("multi-JVM ledger test " + run + ", seed " + seed + ", first leader "
                + NODES.get(firstLeader));
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(new Client(c, new Random(seed + c)));
        }
        runAll(clients, 10);
        assertThat(unacknowledged).as("transfers unacknowledged with every node up").isEmpty();
        Dump calm = checkLedgers("with every node up");
        long calmDone = System.nanoTime();

        List<Future<?>> running = new ArrayList<>();
        for (Client c : clients) {
            running.add(clientThreads.submit(() -> {
                while (!stop.get() && problems.isEmpty() && !Thread.currentThread().isInterrupted()) {
                    c.transfer();
                }
            }));
        }
        awaitAcks(acknowledged.size() + 10, Duration.ofSeconds(30));
        int killed = awaitLeader();
        LedgerNodeProcess victim = nodes.get(killed);
        victim.kill();
        long killedAt = System.nanoTime();
        int acksAtKill = acknowledged.size();
        // The two left elect a leader of their own and go on.
        awaitAcks(acksAtKill + 15, Duration.ofSeconds(60));

        nodes.set(killed, start(killed, 2));
        nodes.get(killed).awaitEvent("READY", BOOT);
        long restartedAt = System.nanoTime();
        int throughRestarted = acksThrough.get(killed);
        await("transfers acknowledged through the restarted " + NODES.get(killed)).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> acksThrough.get(killed) >= throughRestarted + 3 || !problems.isEmpty());
        stop.set(true);
        for (Future<?> f : running) {
            f.get(SETTLE.plus(ANSWER).toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(problems).as("what the clients ran into").isEmpty();
        Dump after = checkLedgers("after " + NODES.get(killed) + " was killed and restarted");
        assertThat(after.applied()).isGreaterThan(calm.applied());

        System.out.printf("%s: 3 JVMs booted in %d ms; %d deposits and %d transfers with every node up in %d ms;"
                        + " leader %s killed after %d acknowledged transfers, restarted in %d ms; %d transfers"
                        + " acknowledged (through n1..n3: %s), %d not, %d re-sent; applied index %d; total %d ms%n",
                run, ms(booted - t0), ACCOUNTS.size(), CLIENTS * 10, ms(calmDone - booted), NODES.get(killed),
                acksAtKill, ms(restartedAt - killedAt), acknowledged.size(), acksThrough, unacknowledged.size(),
                resent.size(), after.applied(), ms(System.nanoTime() - t0));
    }

    private LedgerNodeProcess start(int i, int runNumber) throws Exception {
        String id = NODES.get(i);
        Map<String, String> p = new HashMap<>();
        p.put("raft.node-id", id);
        p.put("raft.members", String.join(",", NODES));
        p.put("raft.bootstrap", Boolean.toString(i == 0));
        p.put("raft.transport", "jms");
        p.put("raft.log", "jpa");
        // Shorter than the core's 10 s, so a client whose command is stuck behind a dead leader re-sends sooner.
        p.put("raft.command-timeout-ms", "5000");
        p.put("test.jdbc-url", "jdbc:h2:file:" + dir.resolve("h2").resolve(id).toAbsolutePath() + ";WRITE_DELAY=0");
        p.put("test.jms-url", "tcp://127.0.0.1:" + broker.tcpPort());
        return LedgerNodeProcess.start(dir, id, runNumber, p);
    }

    /** Waits until a serving node says it leads and every serving node names it; returns its position. */
    private int awaitLeader() {
        return await("a leader every running node knows").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).ignoreException(LedgerNodeProcess.NoAnswer.class)
                .until(() -> {
                    String leader = null;
                    for (int i = 0; i < NODES.size(); i++) {
                        LedgerNodeProcess n = nodes.get(i);
                        if (!n.serving()) {
                            continue;
                        }
                        String[] s = n.call("STATUS", ANSWER).split(" ");
                        if (s[2].equals("-") || leader != null && !leader.equals(s[2])) {
                            return -1;
                        }
                        leader = s[2];
                    }
                    int at = NODES.indexOf(leader);
                    return at >= 0 && nodes.get(at).serving()
                            && nodes.get(at).call("STATUS", ANSWER).startsWith("STATUS LEADER ") ? at : -1;
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
            f.get(120, TimeUnit.SECONDS);
        }
        assertThat(problems).as("what the clients ran into").isEmpty();
    }

    private void awaitAcks(int count, Duration limit) {
        await(count + " transfers acknowledged").atMost(limit).pollInterval(Duration.ofMillis(100))
                .until(() -> acknowledged.size() >= count || !problems.isEmpty());
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

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** A sequential client with a session of its own, starting on its own node and moving on when one fails it. */
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
                unacknowledged.put(m.id(), "no final answer within " + SETTLE);
            }
        }

        /** True once the transfer has a final answer. */
        private boolean attempt(Move m, long seq, boolean[] uncertain) {
            int at = next;
            LedgerNodeProcess node = nodes.get(at);
            if (!node.serving()) {
                next = (next + 1) % NODES.size();
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
                next = (next + 1) % NODES.size();
                return false;
            }
            String kind = answer.split(" ", 2)[0];
            switch (kind) {
                case "OK" -> {
                    acknowledged.put(m.id(), Long.parseLong(answer.split(" ")[1]));
                    acksThrough.incrementAndGet(at);
                    return true;
                }
                case "RETRY" -> {
                    // Certainly not in the log (no leader yet): the same attempt again, elsewhere.
                    next = (next + 1) % NODES.size();
                    return false;
                }
                case "INDETERMINATE" -> {
                    uncertain[0] = true;
                    next = (next + 1) % NODES.size();
                    return false;
                }
                case "REFUSED" -> {
                    if (!uncertain[0]) {
                        problems.add("transfer " + m + " refused at its first submission: " + answer);
                    }
                    // After an uncertain attempt a refusal is final as well (say, the copy that would have opened
                    // the session never reached the log): not acknowledged, so applied at most once.
                    unacknowledged.put(m.id(), answer);
                    return true;
                }
                default -> {
                    problems.add("transfer " + m + " through " + node.nodeId + ": " + answer);
                    return true;
                }
            }
        }
    }
}
