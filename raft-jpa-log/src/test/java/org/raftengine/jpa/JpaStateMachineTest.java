package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.persistence.EntityManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClientSession;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.RejectedCommandException;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.spi.StateSnapshot;
import org.raftengine.core.transport.LocalNetwork;

class JpaStateMachineTest {
    /**
     * The application's commands: {@code put k v} sets k and answers the old value; {@code add k v} refuses a
     * key that exists; {@code put-then-fail k v} sets k and then fails as a bug would.
     */
    static final JpaStateMachine.Commands KV = (em, index, command) -> {
        String[] w = new String(command, StandardCharsets.UTF_8).split(" ");
        KvRow row = em.find(KvRow.class, w[1]);
        switch (w[0]) {
            case "put", "put-then-fail" -> {
                String old = row == null ? "" : row.value;
                if (row == null) {
                    em.persist(new KvRow(w[1], w[2]));
                } else {
                    row.value = w[2];
                }
                if (w[0].equals("put-then-fail")) {
                    em.flush();
                    throw new IllegalStateException("a bug after the change");
                }
                return old.getBytes(StandardCharsets.UTF_8);
            }
            case "add" -> {
                if (row != null) {
                    throw new RejectedCommandException("key " + w[1] + " exists");
                }
                em.persist(new KvRow(w[1], w[2]));
                return new byte[0];
            }
            default -> throw new RejectedCommandException("unknown command " + w[0]);
        }
    };

    /** The application's state as lines {@code k=v}, in key order. */
    static final JpaStateMachine.Snapshots KV_SNAPSHOTS = new JpaStateMachine.Snapshots() {
        @Override
        public void write(EntityManager em, OutputStream out) throws IOException {
            for (KvRow r : em.createQuery("select r from TestKv r order by r.key", KvRow.class).getResultList()) {
                out.write((r.key + "=" + r.value + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void restore(EntityManager em, InputStream in) throws IOException {
            em.createQuery("delete from TestKv").executeUpdate();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    String[] kv = line.split("=", 2);
                    em.persist(new KvRow(kv[0], kv[1]));
                }
            }
        }
    };

    private final List<TestDatabase> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(TestDatabase::close);
    }

    /** A node's own database (H2 file), holding both the raft_ tables and the application's table. */
    private TestDatabase nodeDatabase() throws SQLException {
        TestDatabase db = TestDatabase.open(TestDatabase.Kind.H2, "kv-" + UUID.randomUUID(), true, List.of(KvRow.class));
        opened.add(db);
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute(KvRow.DDL);
        }
        return db;
    }

    private static JpaStateMachine machine(TestDatabase db, String node) {
        return new JpaStateMachine(db.transactions, new JpaAppliedState(db.transactions, "test", node), KV,
                KV_SNAPSHOTS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> table(TestDatabase db) {
        return db.transactions.inTransaction(em -> {
            Map<String, String> m = new TreeMap<>();
            em.createQuery("select r from TestKv r", KvRow.class).getResultList().forEach(r -> m.put(r.key, r.value));
            return m;
        });
    }

    @Test
    void aCommandItsAppliedIndexAndItsOutcomeCommitTogether() throws Exception {
        TestDatabase db = nodeDatabase();
        JpaStateMachine sm = machine(db, "a");

        assertThat(sm.apply(1, bytes("put x 1"))).isEmpty();
        assertThat(sm.apply(2, bytes("put x 2"))).isEqualTo(bytes("1"));

        JpaStateMachine afterRestart = machine(db, "a");
        assertThat(afterRestart.lastApplied()).isEqualTo(2);
        assertThat(afterRestart.keepsOutcomes()).isTrue();
        assertThat(afterRestart.outcomeAt(2)).isEqualTo(AppliedOutcome.ok(bytes("1")));
        assertThat(table(db)).containsExactly(Map.entry("x", "2"));
    }

    @Test
    void aRejectedCommandChangesNothingAndItsReasonIsKeptWithItsIndex() throws Exception {
        TestDatabase db = nodeDatabase();
        JpaStateMachine sm = machine(db, "a");
        sm.apply(1, bytes("put x 1"));

        assertThatThrownBy(() -> sm.apply(2, bytes("add x 9"))).isInstanceOf(RejectedCommandException.class);
        assertThat(machine(db, "a").lastApplied()).isEqualTo(1);
        sm.recordRejected(2, "key x exists");

        assertThat(table(db)).containsExactly(Map.entry("x", "1"));
        assertThat(machine(db, "a").lastApplied()).isEqualTo(2);
        assertThat(sm.outcomeAt(2)).isEqualTo(AppliedOutcome.rejected("key x exists"));
    }

    @Test
    void aFailingCommandRollsBackItsChangeAndRecordsNothing() throws Exception {
        TestDatabase db = nodeDatabase();
        JpaStateMachine sm = machine(db, "a");
        sm.apply(1, bytes("put x 1"));

        assertThatThrownBy(() -> sm.apply(2, bytes("put-then-fail y 5"))).isInstanceOf(IllegalStateException.class);

        assertThat(table(db)).containsExactly(Map.entry("x", "1"));
        assertThat(machine(db, "a").lastApplied()).isEqualTo(1);
        assertThat(sm.outcomeAt(2)).isNull();
    }

    @Test
    void recordingAnIndexTwiceIsRefusedAndRollsBack() throws Exception {
        TestDatabase db = nodeDatabase();
        JpaStateMachine sm = machine(db, "a");
        sm.apply(1, bytes("put x 1"));

        assertThatThrownBy(() -> sm.apply(1, bytes("put x 2"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("raft_applied is at 1");
        assertThat(table(db)).containsExactly(Map.entry("x", "1"));
    }

    @Test
    void aBatchIsOneTransactionCommittedOrAbortedWhole() throws Exception {
        TestDatabase db = nodeDatabase();
        JpaStateMachine sm = machine(db, "a");
        assertThat(sm.appliesInBatches()).isTrue();

        sm.beginBatch();
        sm.apply(1, bytes("put x 1"));
        sm.recordApplied(2);
        assertThat(sm.apply(3, bytes("put x 3"))).as("a batch sees its own changes").isEqualTo(bytes("1"));
        // Read on another thread: the batch's JTA transaction is bound to this one.
        assertThat(java.util.concurrent.CompletableFuture.supplyAsync(() -> table(db)).get(30, TimeUnit.SECONDS))
                .as("nothing is visible outside the batch before its commit").isEmpty();
        assertThat(sm.lastApplied()).isZero();
        sm.commitBatch();

        assertThat(table(db)).containsExactly(Map.entry("x", "3"));
        assertThat(sm.lastApplied()).isEqualTo(3);
        assertThat(machine(db, "a").lastApplied()).isEqualTo(3);

        sm.beginBatch();
        sm.apply(4, bytes("put y 4"));
        sm.recordRejected(5, "refused");
        sm.abortBatch();

        assertThat(table(db)).containsExactly(Map.entry("x", "3"));
        assertThat(sm.lastApplied()).isEqualTo(3);
        assertThat(sm.outcomeAt(5)).isNull();
        sm.beginBatch();
        sm.apply(4, bytes("put y 4"));
        sm.commitBatch();
        assertThat(machine(db, "a").lastApplied()).as("the aborted entries are applied again").isEqualTo(4);
    }

    @Test
    void anEmptyOutputIsKeptWithoutARowAndAnsweredAsEmptyAfterARestart() throws Exception {
        TestDatabase db = nodeDatabase();
        JpaStateMachine sm = machine(db, "a");
        sm.beginBatch();
        sm.apply(1, bytes("put x 1"));
        sm.apply(2, bytes("put x 2"));
        sm.recordApplied(3);
        sm.recordRejected(4, "no");
        sm.commitBatch();

        assertThat(outcomeRows(db)).as("rows for the output '1' and the rejection only").containsExactly(2L, 4L);
        JpaStateMachine afterRestart = machine(db, "a");
        assertThat(afterRestart.lastApplied()).isEqualTo(4);
        assertThat(afterRestart.outcomeAt(1)).isEqualTo(AppliedOutcome.ok(new byte[0]));
        assertThat(afterRestart.outcomeAt(2)).isEqualTo(AppliedOutcome.ok(bytes("1")));
        assertThat(afterRestart.outcomeAt(4)).isEqualTo(AppliedOutcome.rejected("no"));
        assertThat(afterRestart.outcomeAt(5)).as("not applied yet").isNull();
    }

    @Test
    void aBatchOverEntriesRecordedMeanwhileByAnotherInstanceIsRefusedAtItsCommitAndLeavesNothing() throws Exception {
        TestDatabase db = nodeDatabase();
        JpaStateMachine stale = machine(db, "a");
        JpaStateMachine sm = machine(db, "a");
        sm.apply(1, bytes("put x 1"));
        sm.apply(2, bytes("put x 2"));

        stale.beginBatch();
        stale.apply(2, bytes("put y 9"));
        assertThatThrownBy(stale::commitBatch).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("raft_applied is at 2");
        stale.abortBatch();

        assertThat(table(db)).containsExactly(Map.entry("x", "2"));
        assertThat(machine(db, "a").lastApplied()).isEqualTo(2);
        assertThat(stale.lastApplied()).isZero();
    }

    @Test
    void afterARestoreTheOutcomesItCoversAreUnknownEvenAfterARestart() throws Exception {
        TestDatabase source = nodeDatabase();
        JpaStateMachine a = machine(source, "a");
        a.apply(1, bytes("put x 1"));
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        a.snapshot().writeTo(data);
        TestDatabase target = nodeDatabase();
        JpaStateMachine b = machine(target, "b");
        b.restore(1, new ByteArrayInputStream(data.toByteArray()));
        b.apply(2, bytes("put y 2"));

        JpaStateMachine afterRestart = machine(target, "b");
        assertThat(afterRestart.outcomeAt(1)).isNull();
        assertThat(afterRestart.outcomeAt(2)).isEqualTo(AppliedOutcome.ok(new byte[0]));
    }

    private static List<Long> outcomeRows(TestDatabase db) {
        return db.transactions.inTransaction(em -> em.createQuery("select o.index from RaftOutcome o order by o.index",
                Long.class).getResultList());
    }

    @Test
    void nodesSharingADatabaseKeepTheirOwnAppliedIndex() throws Exception {
        TestDatabase db = nodeDatabase();
        machine(db, "a").recordApplied(5);
        machine(db, "b").recordApplied(2);

        assertThat(machine(db, "a").lastApplied()).isEqualTo(5);
        assertThat(machine(db, "b").lastApplied()).isEqualTo(2);
    }

    @Test
    void databaseTroubleIsTransientAndACommandsOwnErrorIsNot() {
        assertThat(DatabaseFailures.isTransient(new jakarta.persistence.PersistenceException("down",
                new SQLTransientConnectionException("refused")))).isTrue();
        assertThat(DatabaseFailures.isTransient(new jakarta.persistence.PersistenceException("lost",
                new SQLException("connection reset", "08006")))).isTrue();
        assertThat(DatabaseFailures.isTransient(new jakarta.persistence.PersistenceException("deadlock",
                new SQLException("deadlock detected", "40P01")))).isTrue();
        assertThat(DatabaseFailures.isTransient(new jakarta.persistence.PersistenceException("duplicate",
                new SQLIntegrityConstraintViolationException("duplicate key", "23505")))).isFalse();
        assertThat(DatabaseFailures.isTransient(new IllegalStateException("a bug"))).isFalse();
    }

    @Test
    void aSnapshotCarriesTheStateToAnotherNodeWithTheAppliedIndex() throws Exception {
        TestDatabase source = nodeDatabase();
        JpaStateMachine a = machine(source, "a");
        a.apply(1, bytes("put x 1"));
        a.apply(2, bytes("put y 2"));
        a.apply(3, bytes("put x 3"));
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        a.snapshot().writeTo(data);

        TestDatabase target = nodeDatabase();
        JpaStateMachine b = machine(target, "b");
        b.apply(1, bytes("put z 7"));
        b.restore(3, new ByteArrayInputStream(data.toByteArray()));

        assertThat(table(target)).isEqualTo(table(source)).containsExactly(Map.entry("x", "3"), Map.entry("y", "2"));
        assertThat(machine(target, "b").lastApplied()).isEqualTo(3);
        assertThat(b.outcomeAt(1)).as("outcomes before the snapshot are the snapshot's session table's business")
                .isNull();
    }

    @Test
    void aViewLeavesNoTemporaryFileWhetherWrittenOrDiscarded() throws Exception {
        JpaStateMachine a = machine(nodeDatabase(), "a");
        a.apply(1, bytes("put x 1"));
        Set<Path> before = snapshotFiles();

        StateSnapshot written = a.snapshot();
        assertThat(snapshotFiles()).as("the view's temporary file").hasSize(before.size() + 1);
        written.writeTo(new ByteArrayOutputStream());
        assertThat(snapshotFiles()).as("after writeTo").isEqualTo(before);

        a.snapshot().discard();
        assertThat(snapshotFiles()).as("after discard").isEqualTo(before);
    }

    private static Set<Path> snapshotFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("raftengine-snapshot-"))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void aResentCommandGetsItsOriginalAnswerAfterTheNodeRestarts() throws Exception {
        TestDatabase db = nodeDatabase();
        RaftNodeConfig config = RaftNodeConfig.of("solo", "test")
                .withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS, "solo"));
        JpaRaftLog log = JpaRaftLog.builder(db.transactions).clusterId("test").nodeId("solo").open();
        RaftNode node = new RaftNode(config, log, new LocalNetwork().transport("solo"), machine(db, "solo"));
        node.start();
        awaitLeader(node);
        ClientSession session = node.openSession();
        assertThat(await(session.submit(bytes("put x 1")))).isInstanceOf(CommandResult.Ok.class);
        CommandResult second = await(session.submit(bytes("put x 2")));
        assertThat(second).isInstanceOf(CommandResult.Ok.class);
        assertThat(((CommandResult.Ok) second).result()).isEqualTo(bytes("1"));
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);

        RaftNode restarted = new RaftNode(config, db.reopen(log), new LocalNetwork().transport("solo"),
                machine(db, "solo"));
        restarted.start();
        awaitLeader(restarted);
        CommandResult again = await(restarted.session(session.id()).resubmit(2, bytes("put x 2")));

        assertThat(again).isInstanceOf(CommandResult.Ok.class);
        assertThat(((CommandResult.Ok) again).result()).as("the original answer, not a second apply's")
                .isEqualTo(bytes("1"));
        restarted.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(table(db)).containsExactly(Map.entry("x", "2"));
    }

    private static void awaitLeader(RaftNode node) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> node.status().role() == org.raftengine.core.Role.LEADER);
    }

    private static CommandResult await(java.util.concurrent.CompletionStage<CommandResult> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
