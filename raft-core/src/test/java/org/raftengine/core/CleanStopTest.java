package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.runtime.ThreadedRuntime;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.transport.LocalNetwork;

/**
 * {@link RaftNode#stop()} on real threads, racing clients that keep submitting, over a slow disk. An
 * application closes its database (its {@code EntityManagerFactory}) as soon as stop() completes, so by
 * then no log or state machine call may still run, and none may begin later; and every command
 * submitted, before, during or after the stop, gets an answer.
 */
class CleanStopTest {
    private static final long WAIT_SECONDS = 30;
    private static final ClusterSettings FAST_ELECTIONS = ClusterSettings.DEFAULTS.withTimeouts(50, 300, 600);
    private static final int SUBMITTERS = 6;
    /** Submits each client makes after stop() was called: they race the node's halt. */
    private static final int SUBMITS_AFTER_STOP = 200;
    /** Commands each client may have unanswered: bounds memory, and keeps the slow disk busy. */
    private static final int WINDOW = 32;
    /** Bounds a client's run if a node were never to stop. */
    private static final int MAX_SUBMITS = 1_000_000;

    /**
     * The application's database, shared by its log and its state machine. Each call counts itself in
     * before it checks for a close, and the close marks itself before it counts the calls: so a call that
     * overlaps the close is seen by one side or the other.
     */
    static final class Database {
        private final String node;
        private final AtomicInteger callsRunning = new AtomicInteger();
        private volatile boolean closed;
        final Queue<String> violations = new ConcurrentLinkedQueue<>();

        Database(String node) {
            this.node = node;
        }

        <T> T call(String name, Supplier<T> body) {
            callsRunning.incrementAndGet();
            try {
                if (closed) {
                    violations.add(node + ": " + name + " began after stop() completed");
                }
                return body.get();
            } finally {
                callsRunning.decrementAndGet();
            }
        }

        void run(String name, Runnable body) {
            call(name, () -> {
                body.run();
                return null;
            });
        }

        /** What the application does once stop() completed. */
        void close() {
            closed = true;
            int running = callsRunning.get();
            if (running > 0) {
                violations.add(node + ": " + running + " call(s) still running when stop() completed");
            }
        }
    }

    /** An in-memory log behind the application's database, whose appends take 50 to 150 ms, like a slow disk. */
    static class SlowLog implements RaftLog {
        private final InMemoryRaftLog log = new InMemoryRaftLog();
        private final Database db;

        SlowLog(Database db) {
            this.db = db;
        }

        @Override
        public void append(List<LogEntry> entries) {
            db.run("append", () -> {
                slowDisk();
                log.append(entries);
            });
        }

        private static void slowDisk() {
            try {
                Thread.sleep(ThreadLocalRandom.current().nextLong(50, 151)); // the disk's latency, not a wait for another thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Read past the database: for the test's own checks, after it is closed. */
        boolean markedBroken() {
            return log.isBroken();
        }

        @Override
        public long storageId() {
            return db.call("storageId", log::storageId);
        }

        @Override
        public HardState hardState() {
            return db.call("hardState", log::hardState);
        }

        @Override
        public void saveHardState(HardState state) {
            db.run("saveHardState", () -> log.saveHardState(state));
        }

        @Override
        public long firstIndex() {
            return db.call("firstIndex", log::firstIndex);
        }

        @Override
        public long lastIndex() {
            return db.call("lastIndex", log::lastIndex);
        }

        @Override
        public long termAt(long index) {
            return db.call("termAt", () -> log.termAt(index));
        }

        @Override
        public List<LogEntry> read(long fromIndex, long toIndex, long maxBytes) {
            return db.call("read", () -> log.read(fromIndex, toIndex, maxBytes));
        }

        @Override
        public boolean isBroken() {
            return db.call("isBroken", log::isBroken);
        }

        @Override
        public String brokenReason() {
            return db.call("brokenReason", log::brokenReason);
        }

        @Override
        public void markBroken(String reason) {
            db.run("markBroken", () -> log.markBroken(reason));
        }
    }

    /** A state machine in the application's database: it counts commands. */
    static class CountingStateMachine implements StateMachine {
        private final Database db;
        private long applied;

        CountingStateMachine(Database db) {
            this.db = db;
        }

        @Override
        public synchronized long lastApplied() {
            return db.call("lastApplied", () -> applied);
        }

        @Override
        public synchronized byte[] apply(long index, byte[] command) {
            return db.call("apply", () -> {
                applied = index;
                return command;
            });
        }

        @Override
        public synchronized void recordApplied(long index) {
            db.run("recordApplied", () -> applied = index);
        }
    }

    /** One node and its database. */
    private record Server(RaftNode node, Database db) {
    }

    @RepeatedTest(20)
    void aSingleNodeStopsCleanlyUnderLoad() throws Exception {
        stopsCleanlyUnderLoad(1, ThreadedRuntime::new);
    }

    @RepeatedTest(20)
    void aThreeNodeClusterStopsCleanlyUnderLoad() throws Exception {
        stopsCleanlyUnderLoad(3, ThreadedRuntime::new);
    }

    @RepeatedTest(10)
    void aNodeRunningStorageAndApplyInlineStopsCleanlyUnderLoad() throws Exception {
        stopsCleanlyUnderLoad(1, ThreadedRuntime::withInlineStorageAndApply);
    }

    /**
     * Clients submit to every node, each with a window of unanswered commands, and all nodes are
     * stopped once one of those commands has committed; the clients go on submitting a while after. Each node's database is closed the moment its
     * stop() completes.
     */
    private void stopsCleanlyUnderLoad(int nodeCount, Function<String, NodeRuntime> runtimes) throws Exception {
        LocalNetwork network = new LocalNetwork();
        String[] ids = new String[nodeCount];
        for (int i = 0; i < nodeCount; i++) {
            ids[i] = "n" + (i + 1);
        }
        List<Server> servers = new ArrayList<>();
        CompletableFuture<String> leaderKnown = new CompletableFuture<>();
        for (String id : ids) {
            RaftNodeConfig config = RaftNodeConfig.of(id, "clean-stop");
            if (id.equals(ids[0])) {
                config = config.withBootstrap(ClusterConfiguration.of(FAST_ELECTIONS, ids));
            }
            Database db = new Database(id);
            RaftNode node = new RaftNode(config, new SlowLog(db), network.transport(id), new CountingStateMachine(db),
                    runtimes.apply(id));
            if (id.equals(ids[0])) {
                node.addListener(new RaftListener() {
                    @Override
                    public void onLeaderChange(String leaderId, long term) {
                        if (leaderId != null) {
                            leaderKnown.complete(leaderId);
                        }
                    }
                });
            }
            node.start();
            servers.add(new Server(node, db));
        }
        leaderKnown.get(WAIT_SECONDS, TimeUnit.SECONDS);
        awaitFirstCommit(servers.get(0).node());

        Queue<CompletableFuture<CommandResult>> futures = new ConcurrentLinkedQueue<>();
        Queue<String> stuckClients = new ConcurrentLinkedQueue<>();
        AtomicBoolean stopCalled = new AtomicBoolean();
        CompletableFuture<Void> racingCommandCommitted = new CompletableFuture<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < SUBMITTERS; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                Semaphore window = new Semaphore(WINDOW);
                int afterStop = 0;
                for (int n = 0; n < MAX_SUBMITS && afterStop < SUBMITS_AFTER_STOP; n++) {
                    if (stopCalled.get()) {
                        afterStop++;
                    }
                    if (!acquire(window)) {
                        stuckClients.add("client " + client + " waited " + WAIT_SECONDS + " s for an answer");
                        return;
                    }
                    RaftNode target = servers.get((client + n) % servers.size()).node();
                    byte[] command = ("c" + client + "-" + n).getBytes(StandardCharsets.UTF_8);
                    CompletableFuture<CommandResult> f = target.submit(command).toCompletableFuture();
                    futures.add(f);
                    f.whenComplete((result, error) -> {
                        window.release();
                        if (result instanceof CommandResult.Ok) {
                            racingCommandCommitted.complete(null);
                        }
                    });
                }
            }, "client-" + c);
            t.start();
            clients.add(t);
        }
        racingCommandCommitted.get(WAIT_SECONDS, TimeUnit.SECONDS);

        stopCalled.set(true);
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Server s : servers) {
            stops.add(s.node().stop().toCompletableFuture().thenRun(s.db()::close));
        }
        CompletableFuture.allOf(stops.toArray(new CompletableFuture<?>[0])).get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (Thread t : clients) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat(t.isAlive()).as("client %s still submitting", t.getName()).isFalse();
        }

        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(WAIT_SECONDS, TimeUnit.SECONDS);
        long ok = futures.stream().filter(f -> f.join() instanceof CommandResult.Ok).count();
        assertThat(ok).as("commands committed before the stop").isPositive();
        assertThat(futures).hasSizeGreaterThan(SUBMITTERS * SUBMITS_AFTER_STOP);
        assertThat(stuckClients).isEmpty();
        for (Server s : servers) {
            assertThat(s.node().status().role()).isEqualTo(Role.STOPPED);
            assertThat(s.db().violations).as("calls into %s's database", s.node().id()).isEmpty();
        }
    }

    /**
     * A state machine that fails the same entry again and again makes the node mark its log broken and
     * stop. A stop() asked meanwhile completes only once the mark is written, and a command submitted
     * meanwhile is answered.
     */
    @Test
    void stopWaitsWhileTheNodeMarksItsLogBroken() throws Exception {
        Database db = new Database("n1");
        CountDownLatch marking = new CountDownLatch(1);
        CountDownLatch markMayEnd = new CountDownLatch(1);
        SlowLog log = new SlowLog(db) {
            @Override
            public void markBroken(String reason) {
                marking.countDown();
                try {
                    markMayEnd.await(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.markBroken(reason);
            }
        };
        StateMachine failing = new CountingStateMachine(db) {
            @Override
            public synchronized byte[] apply(long index, byte[] command) {
                if (new String(command, StandardCharsets.UTF_8).equals("poison")) {
                    throw new IllegalStateException("a bug in the application");
                }
                return super.apply(index, command);
            }
        };
        RaftNode node = new RaftNode(RaftNodeConfig.of("n1", "clean-stop")
                .withBootstrap(ClusterConfiguration.of(FAST_ELECTIONS, "n1")), log,
                new LocalNetwork().transport("n1"), failing);
        node.start();
        awaitFirstCommit(node);

        CompletableFuture<CommandResult> poisoned = node.submit("poison".getBytes(StandardCharsets.UTF_8))
                .toCompletableFuture();
        assertThat(marking.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the log is being marked broken").isTrue();
        CompletableFuture<Void> stop = node.stop().toCompletableFuture();
        CompletableFuture<CommandResult> late = node.submit("late".getBytes(StandardCharsets.UTF_8))
                .toCompletableFuture();
        assertThat(stop).as("stop() while markBroken still runs").isNotDone();

        markMayEnd.countDown();
        stop.thenRun(db::close).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(log.markedBroken()).isTrue();
        assertThat(poisoned.get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(CommandResult.Indeterminate.class);
        assertThat(late.get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(CommandResult.Retry.class);
        assertThat(node.status().role()).isEqualTo(Role.STOPPED);
        assertThat(db.violations).isEmpty();
    }

    private static boolean acquire(Semaphore window) {
        try {
            return window.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Until a command commits: the first node knows the leader, and the pipelines have all run once. */
    private static void awaitFirstCommit(RaftNode node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            CommandResult r = node.submit("first".getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            if (r instanceof CommandResult.Ok) {
                return;
            }
        }
        throw new AssertionError("no command committed within " + WAIT_SECONDS + " s");
    }
}
