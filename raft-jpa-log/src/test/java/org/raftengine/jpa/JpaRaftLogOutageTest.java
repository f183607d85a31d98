package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.supplier.AgroalConnectionPoolConfigurationSupplier;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.Role;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.transport.LocalNetwork;

/**
 * The database goes away under a running node and comes back: the node acknowledges nothing meanwhile (its
 * own durable write is what a single-node cluster commits on), keeps running, and takes commands again once the
 * database is back; and every command it acknowledged is in the log. The node's log reaches PostgreSQL through
 * a {@link TcpProxy} the test cuts and restores.
 */
class JpaRaftLogOutageTest {
    /** Phases of the test, as submissions and completions see them. */
    private static final int UP = 0;
    private static final int CUT = 1;
    private static final int RESTORED = 2;

    /**
     * A pool that notices dead connections: checked before being handed out, dropped at once when a statement on
     * them failed for a connection reason, and never waited for longer than 3 s.
     */
    static final UnaryOperator<AgroalConnectionPoolConfigurationSupplier> RECOVERING_POOL = pool -> pool
            .acquisitionTimeout(Duration.ofSeconds(3))
            .validateOnBorrow(true)
            .connectionValidator(ConnectionValidator.defaultValidatorWithTimeout(1))
            .exceptionSorter(new PostgreSQLExceptionSorter())
            .validationTimeout(Duration.ofSeconds(1));

    /** What one submitted command came to. */
    record Outcome(long seq, int submittedIn, int completedIn, CommandResult result) {
    }

    /** Submits numbered commands, a few at a time, until stopped; records what each came to and when. */
    static final class Submitter implements Runnable {
        private static final int WINDOW = 8;
        private final RaftNode node;
        private final AtomicInteger phase;
        private final Semaphore window = new Semaphore(WINDOW);
        private final AtomicLong seq = new AtomicLong();
        final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
        final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        private volatile boolean running = true;
        private final Thread thread = new Thread(this, "outage-submitter");

        Submitter(RaftNode node, AtomicInteger phase) {
            this.node = node;
            this.phase = phase;
        }

        static byte[] command(long seq) {
            return ("command " + seq).getBytes(StandardCharsets.UTF_8);
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
                        failures.add(new AssertionError("no command completed for 30 s"));
                        return;
                    }
                    long n = seq.incrementAndGet();
                    int submittedIn = phase.get();
                    node.submit(command(n)).whenComplete((result, error) -> {
                        if (error != null) {
                            failures.add(error);
                        } else {
                            outcomes.put(n, new Outcome(n, submittedIn, phase.get(), result));
                        }
                        window.release();
                    });
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Stops submitting and waits for every command submitted to complete (at worst by the node's time-out). */
        void stop() throws InterruptedException {
            running = false;
            thread.join(30_000);
            assertThat(thread.isAlive()).as("the submitter stopped").isFalse();
            assertThat(window.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)).as("every command completed").isTrue();
        }

        long count(int submittedIn, boolean ok) {
            return outcomes.values().stream()
                    .filter(o -> o.submittedIn == submittedIn && o.result.isOk() == ok).count();
        }
    }

    private static List<Outcome> okWhileCut(Submitter submitter) {
        List<Outcome> ok = new ArrayList<>();
        for (Outcome o : submitter.outcomes.values()) {
            if (o.submittedIn == CUT && o.completedIn == CUT && o.result.isOk()) {
                ok.add(o);
            }
        }
        return ok;
    }

    @Test
    void singleNodeAcknowledgesNothingWhileItsDatabaseIsCutAndRecoversWhenItIsBack() throws Exception {
        String direct = TestDatabase.Kind.POSTGRESQL.url(null);
        try {
            JpaTestUnit.installSchema(direct, "postgres");
        } catch (SQLException e) {
            TestDatabase.skipOrFail("PostgreSQL at " + direct + " is not reachable: " + e.getMessage(), e);
        }
        String logNode = "outage-" + UUID.randomUUID();
        AtomicInteger phase = new AtomicInteger(UP);
        Submitter submitter;
        long cutMillis;
        long recoveryMillis;
        long failuresDuringCut;
        try (TcpProxy proxy = new TcpProxy(5432);
             JpaTestUnit unit = JpaTestUnit.open("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?"
                     + JpaRaftLogOpenFailureTest.PG_TIMEOUTS, "postgres", RECOVERING_POOL)) {
            JpaRaftLog log = unit.log(logNode);
            RaftNode node = new RaftNode(RaftNodeConfig.of("solo", "outage")
                    .withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS, "solo"))
                    // Commands pending in the outage come back (indeterminate) within it, and make room for more.
                    .withCommandTimeout(Duration.ofSeconds(2)),
                    log, new LocalNetwork().transport("solo"), new CountingStateMachine());
            node.start();
            await("leader").atMost(Duration.ofSeconds(20)).until(() -> node.status().role() == Role.LEADER);
            submitter = new Submitter(node, phase);
            submitter.start();
            await("commands acknowledged before the cut").atMost(Duration.ofSeconds(20))
                    .until(() -> submitter.count(UP, true) >= 50);

            long failuresBefore = node.storageFailures();
            long cutAt = System.nanoTime();
            proxy.cut();
            phase.set(CUT);
            // Commands submitted in the outage come back (by the node's time-out), none acknowledged; and the
            // node's writes fail, again and again, while it stays up.
            await("commands submitted in the outage come back").atMost(Duration.ofSeconds(30))
                    .until(() -> submitter.count(CUT, false) + submitter.count(CUT, true) >= 8);
            assertThat(okWhileCut(submitter)).as("commands submitted after the cut and acknowledged in it").isEmpty();
            await("writes failing").atMost(Duration.ofSeconds(10))
                    .until(() -> node.storageFailures() >= failuresBefore + 3);
            assertThat(node.status().role()).as("the node is still running, and still leader").isEqualTo(Role.LEADER);
            failuresDuringCut = node.storageFailures() - failuresBefore;

            phase.set(RESTORED);
            long restoredAt = System.nanoTime();
            cutMillis = (restoredAt - cutAt) / 1_000_000;
            proxy.restore();
            await("a command submitted after the restore acknowledged").atMost(Duration.ofSeconds(30))
                    .until(() -> submitter.count(RESTORED, true) >= 1);
            recoveryMillis = (System.nanoTime() - restoredAt) / 1_000_000;
            await("commands acknowledged after the restore").atMost(Duration.ofSeconds(20))
                    .until(() -> submitter.count(RESTORED, true) >= 50);
            submitter.stop();
            node.stop().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(proxy.refused()).as("connections refused while cut").isPositive();
        }
        assertThat(submitter.failures).as("submit() futures that failed instead of completing").isEmpty();

        assertThat(okWhileCut(submitter)).as("commands submitted after the cut and acknowledged before the restore")
                .isEmpty();

        // Every acknowledged command is in the log, where its acknowledgement said, as submitted.
        List<Outcome> acknowledged = submitter.outcomes.values().stream().filter(o -> o.result.isOk()).toList();
        try (JpaTestUnit unit = JpaTestUnit.open(direct, "postgres", pool -> pool)) {
            JpaRaftLog log = unit.log(logNode);
            List<LogEntry> entries = log.read(log.firstIndex(), log.lastIndex(), Long.MAX_VALUE);
            for (Outcome o : acknowledged) {
                long index = ((CommandResult.Ok) o.result).index();
                LogEntry e = entries.get((int) (index - log.firstIndex()));
                assertThat(e.index()).isEqualTo(index);
                assertThat(e.type()).isEqualTo(EntryType.COMMAND);
                assertThat(e.data()).as("entry %d, acknowledged for command %d", index, o.seq)
                        .isEqualTo(Submitter.command(o.seq));
            }
        }
        System.out.printf("outage: cut for %d ms (%d failed writes, %d commands submitted in it, none acknowledged"
                        + " while cut, %d acknowledged after the restore); first acknowledgement %d ms after the"
                        + " restore; %d commands acknowledged in all, each found in the log%n",
                cutMillis, failuresDuringCut, submitter.count(CUT, true) + submitter.count(CUT, false),
                submitter.count(CUT, true), recoveryMillis, acknowledged.size());
    }
}
