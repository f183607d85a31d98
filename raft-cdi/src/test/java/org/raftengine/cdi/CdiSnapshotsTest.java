package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.arjuna.ats.jta.cdi.TransactionExtension;
import io.smallrye.config.inject.ConfigExtension;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.jpa.JpaRaftLog;
import org.raftengine.jpa.JpaTransactions;

/**
 * Snapshots of a single node in Weld SE, without and with the application's {@link RaftSnapshots} bean
 * ({@link LedgerSnapshots}): without it the node says compaction is off and refuses a snapshot on demand; with it
 * snapshots are taken automatically and on demand, the log is compacted behind them, and {@code raft_outcome}
 * keeps only the outcomes the latest snapshot does not cover.
 */
class CdiSnapshotsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String COMPACTION_OFF = "no RaftSnapshots bean, so automatic compaction is off";

    // A strong reference: JUL holds loggers weakly, and a collected one would lose the handler.
    private final Logger producerLog = Logger.getLogger(RaftNodeProducer.class.getName());
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final List<String> properties = new ArrayList<>();
    private WeldContainer container;

    @BeforeEach
    void listen() {
        producerLog.addHandler(capture);
    }

    @AfterEach
    void end() {
        if (container != null) {
            container.close();
        }
        producerLog.removeHandler(capture);
        properties.forEach(System::clearProperty);
    }

    @Test
    void withoutARaftSnapshotsBeanCompactionIsOffAndASnapshotOnDemandFailsSayingWhy() throws Exception {
        RaftNode node = start(false, 5);
        RaftClient client = container.select(RaftClient.class).get();
        assertThat(logged).as("what the producer logged").anyMatch(m -> m.contains(COMPACTION_OFF));

        // Three times the threshold: a node that could snapshot would have compacted by now.
        for (int i = 0; i < 15; i++) {
            deposit(client, "alice", 1);
        }

        assertThat(node.takeSnapshot().toCompletableFuture()).failsWithin(WAIT)
                .withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOf(UnsupportedOperationException.class)
                .withMessageContaining("takes no snapshots")
                .withMessageContaining(org.raftengine.jpa.JpaStateMachine.class.getName());
        NodeStatus s = node.status();
        assertThat(s.firstIndex()).as("the log keeps every entry").isEqualTo(1);
        assertThat(s.snapshotIndex()).isZero();
        assertThat(node.snapshotsTaken()).isZero();
    }

    @Test
    void withTheBeanSnapshotsCompactTheLogAndTheNextOneDropsTheOutcomesTheLastCovers() throws Exception {
        int threshold = 20; // and so 20 trailing entries: RaftProperties keeps min(5000, threshold)
        RaftNode node = start(true, threshold);
        RaftClient client = container.select(RaftClient.class).get();
        JpaTransactions tx = JpaTransactions.jta(container.select(EntityManagerFactory.class).get(),
                container.select(TransactionManager.class).get());
        assertThat(logged).as("what the producer logged").noneMatch(m -> m.contains(COMPACTION_OFF));
        // An account no other run uses: its name, in a snapshot's temporary file, tells that file is this test's.
        String account = "acct-" + UUID.randomUUID();

        List<Long> deposits = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            deposits.add(deposit(client, account, 1));
        }
        await("an automatic snapshot, %d entries past the start".formatted(threshold)).atMost(WAIT)
                .until(() -> node.snapshotsTaken() >= 1);
        SnapshotMeta first = node.takeSnapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(outcomeIndexes(tx)).as("outcomes up to the snapshot just taken: kept until the next one")
                .anyMatch(i -> i <= first.index());

        for (int i = 0; i < 5; i++) {
            deposits.add(deposit(client, account, 1));
        }
        SnapshotMeta second = node.takeSnapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(second.index()).as("the snapshot on demand covers the last deposit")
                .isEqualTo(deposits.get(deposits.size() - 1));
        assertThat(outcomeIndexes(tx)).as("outcomes left: those after the snapshot before the latest")
                .isEqualTo(deposits.stream().filter(i -> i > first.index()).toList());
        long firstKept = second.index() - threshold + 1;
        await("the log compacted behind snapshot " + second.index()).atMost(WAIT).untilAsserted(() -> {
            NodeStatus s = node.status();
            assertThat(s.snapshotIndex()).isEqualTo(second.index());
            assertThat(s.firstIndex()).isEqualTo(firstKept);
            assertThat(lowestStoredEntry(tx)).as("the lowest index in raft_entry").isEqualTo(firstKept);
        });
        long balance = tx.inTransaction(em -> em.find(Account.class, account).balance);
        assertThat(balance).isEqualTo(35);

        SnapshotMeta again = node.takeSnapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(again).as("nothing applied since: the latest snapshot").isEqualTo(second);
        assertThat(snapshotFilesLeftWith(account)).as("temporary snapshot files of this test left behind").isEmpty();
    }

    @Test
    void twoRaftSnapshotsBeansFailTheDeploymentRatherThanTurnCompactionOff() {
        Weld weld = weld(5).addBeanClasses(LedgerSnapshots.class, OtherLedgerSnapshots.class);

        assertThatThrownBy(() -> weld.initialize().close()).hasStackTraceContaining("raft.log: raft.log=jpa takes"
                + " snapshots through the application's RaftSnapshots bean, and there are several");
        assertThat(logged).as("what the producer logged").noneMatch(m -> m.contains(COMPACTION_OFF));
    }

    /** A second RaftSnapshots bean, as an application might leave one in by mistake. */
    @ApplicationScoped
    static class OtherLedgerSnapshots extends LedgerSnapshots {
    }

    private RaftNode start(boolean withSnapshots, long threshold) {
        Weld weld = weld(threshold);
        if (withSnapshots) {
            weld.addBeanClass(LedgerSnapshots.class);
        }
        container = weld.initialize();
        RaftNode node = container.select(RaftNode.class).get();
        await("node n1 leads").atMost(WAIT).until(() -> node.status().role() == Role.LEADER);
        return node;
    }

    /** A single node on a new H2 database, without snapshots: the beans of {@link SingleNodeCdiTest}. */
    private Weld weld(long threshold) {
        set("test.jdbc-url", "jdbc:h2:file:" + Path.of("target", "h2", "snapshots-" + UUID.randomUUID())
                .toAbsolutePath() + JpaRaftLog.H2_DURABLE_URL_OPTIONS);
        set("raft.node-id", "n1");
        set("raft.members", "n1");
        set("raft.bootstrap", "true");
        set("raft.transport", "local");
        set("raft.snapshot.threshold-entries", Long.toString(threshold));
        return new Weld().disableDiscovery()
                .addBeanClasses(RaftNodeProducer.class, RaftClient.class, CurrentCommand.class, Ledger.class,
                        TestPersistence.class)
                .addExtensions(new ConfigExtension(), new TransactionExtension());
    }

    private void set(String name, String value) {
        System.setProperty(name, value);
        properties.add(name);
    }

    /** Deposits {@code amount}; returns the command's log index. */
    private static long deposit(RaftClient client, String account, long amount) throws Exception {
        CommandResult r = client.submit(new Deposit(account, amount)).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r).as("deposit into %s", account).isInstanceOf(CommandResult.Ok.class);
        return ((CommandResult.Ok) r).index();
    }

    /** The indexes of the outcomes kept (a row with neither output nor rejection marks those dropped). */
    private static List<Long> outcomeIndexes(JpaTransactions tx) {
        return tx.inTransaction(em -> em.createNativeQuery("SELECT idx FROM raft_outcome"
                        + " WHERE output IS NOT NULL OR rejection IS NOT NULL ORDER BY idx")
                .getResultList().stream().map(i -> ((Number) i).longValue()).toList());
    }

    private static long lowestStoredEntry(JpaTransactions tx) {
        return tx.inTransaction(em -> ((Number) em.createNativeQuery("SELECT MIN(idx) FROM raft_entry")
                .getSingleResult()).longValue());
    }

    /** The snapshot temporary files (of any process: the directory is shared) that hold {@code marker}. */
    private static List<Path> snapshotFilesLeftWith(String marker) throws IOException {
        byte[] wanted = marker.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("raftengine-snapshot-"))
                    .filter(f -> contains(f, wanted)).toList();
        }
    }

    private static boolean contains(Path file, byte[] wanted) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException gone) {
            return false; // another writer's file, deleted once written out
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = new String(data, StandardCharsets.ISO_8859_1);
        return text.contains(new String(wanted, StandardCharsets.ISO_8859_1));
    }
}
