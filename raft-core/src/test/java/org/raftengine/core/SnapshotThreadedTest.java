package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.StateSnapshot;
import org.raftengine.core.transport.LocalNetwork;

/**
 * Snapshots on the production runtime (real threads): taken on demand and automatically, restored at
 * start into a state machine kept in memory, and sent to a follower that was away while the leader
 * compacted. The simulator covers the fault schedules; this covers the threads.
 */
class SnapshotThreadedTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final SnapshotPolicy SMALL = new SnapshotPolicy(50, 0, 5, 128);

    /** A list of strings kept in memory, lost with the process: the README's journal with snapshots. */
    static final class Journal implements StateMachine {
        final List<String> lines = new ArrayList<>();
        long applied;
        int views;
        int discarded;

        @Override
        public synchronized byte[] apply(long index, byte[] command) {
            lines.add(new String(command, StandardCharsets.UTF_8));
            applied = index;
            return new byte[0];
        }

        @Override
        public synchronized void recordApplied(long index) {
            applied = index;
        }

        @Override
        public synchronized long lastApplied() {
            return applied;
        }

        @Override
        public boolean supportsSnapshots() {
            return true;
        }

        @Override
        public synchronized StateSnapshot snapshot() {
            views++;
            List<String> copy = List.copyOf(lines);
            return new StateSnapshot() {
                @Override
                public void writeTo(OutputStream out) throws IOException {
                    DataOutputStream data = new DataOutputStream(out);
                    data.writeInt(copy.size());
                    for (String line : copy) {
                        data.writeUTF(line);
                    }
                    data.flush();
                }

                @Override
                public void discard() {
                    synchronized (Journal.this) {
                        discarded++;
                    }
                }
            };
        }

        synchronized int discarded() {
            return discarded;
        }

        @Override
        public void restore(long index, InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in);
            int n = data.readInt();
            List<String> read = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                read.add(data.readUTF());
            }
            synchronized (this) {
                lines.clear();
                lines.addAll(read);
                applied = index;
            }
        }

        synchronized int views() {
            return views;
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }
    }

    /** A state machine with no snapshot support. */
    static final class Plain implements StateMachine {
        private volatile long applied;

        @Override
        public long lastApplied() {
            return applied;
        }

        @Override
        public byte[] apply(long index, byte[] command) {
            applied = index;
            return command;
        }

        @Override
        public void recordApplied(long index) {
            applied = index;
        }
    }

    private static RaftNodeConfig config(String id, String... members) {
        RaftNodeConfig c = RaftNodeConfig.of(id, "snap-threads").withSnapshots(SMALL);
        return id.equals(members[0]) ? c.withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS, members)) : c;
    }

    private static void submitAll(RaftNode node, String prefix, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            CommandResult r = node.submit((prefix + i).getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (r instanceof CommandResult.Retry || r instanceof CommandResult.Redirect) {
                i--; // no leader yet
                continue;
            }
            assertThat(r).as(prefix + i).isInstanceOf(CommandResult.Ok.class);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Test
    void aRestartedNodeRestoresItsInMemoryStateFromTheSnapshotAndReplaysTheRest() throws Exception {
        InMemoryRaftLog log = new InMemoryRaftLog();
        LocalNetwork network = new LocalNetwork();
        Journal first = new Journal();
        RaftNode node = new RaftNode(config("solo", "solo"), log, network.transport("solo"), first);
        node.start();
        submitAll(node, "a", 180);
        SnapshotMeta onDemand = node.takeSnapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        submitAll(node, "b", 20);
        node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // At least one automatic snapshot and the one on demand: how many automatic ones fit in 180 commands depends
        // on how fast each is written while applies go on (a loaded machine saw 3 in all instead of 4).
        assertThat(node.snapshotsTaken()).as("automatic and on demand").isGreaterThanOrEqualTo(2);
        assertThat(onDemand.index()).isGreaterThanOrEqualTo(181);
        assertThat(log.firstIndex()).as("compacted").isGreaterThan(150);

        // The process restarts: the journal in memory is gone, the log is not.
        Journal second = new Journal();
        RaftNode again = new RaftNode(config("solo", "solo"), log, network.transport("solo"), second);
        again.start();
        await(() -> second.lastApplied() >= first.lastApplied(), "the replay after the restore");
        assertThat(second.lines()).isEqualTo(first.lines()).hasSize(200);
        again.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aFollowerThatWasAwayWhileTheLeaderCompactedGetsTheSnapshot() throws Exception {
        LocalNetwork network = new LocalNetwork();
        String[] ids = {"n1", "n2", "n3"};
        List<RaftNode> nodes = new ArrayList<>();
        List<Journal> journals = new ArrayList<>();
        List<InMemoryRaftLog> logs = new ArrayList<>();
        for (String id : ids) {
            Journal j = new Journal();
            InMemoryRaftLog log = new InMemoryRaftLog();
            RaftNode n = new RaftNode(config(id, ids), log, network.transport(id), j);
            n.start();
            nodes.add(n);
            journals.add(j);
            logs.add(log);
        }
        submitAll(nodes.get(0), "x", 20);
        nodes.get(2).stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long awayAt = logs.get(2).lastIndex();
        submitAll(nodes.get(0), "y", 300);
        await(() -> logs.get(0).firstIndex() > awayAt + 1 && logs.get(1).firstIndex() > awayAt + 1,
                "the others compacting past the stopped node");

        RaftNode back = new RaftNode(config("n3", ids), logs.get(2), network.transport("n3"), journals.get(2));
        back.start();
        submitAll(nodes.get(0), "z", 5);
        await(() -> journals.get(2).lines().size() == 325, "the returning node catching up");
        assertThat(back.snapshotsInstalled()).isGreaterThanOrEqualTo(1);
        assertThat(journals.get(2).lines()).isEqualTo(journals.get(0).lines());
        for (RaftNode n : List.of(nodes.get(0), nodes.get(1), back)) {
            n.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutSnapshotSupportTheLogKeepsEveryEntryAndTakeSnapshotSaysWhy() throws Exception {
        InMemoryRaftLog log = new InMemoryRaftLog();
        RaftNode node = new RaftNode(config("solo", "solo"), log, new LocalNetwork().transport("solo"), new Plain());
        node.start();
        submitAll(node, "p", 120);

        assertThatThrownBy(() -> node.takeSnapshot().toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("takes no snapshots").hasMessageContaining(Plain.class.getName());
        assertThat(node.snapshotsTaken()).isZero();
        assertThat(log.firstIndex()).isEqualTo(1);
        assertThat(log.snapshot()).isNull();
        node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aSnapshotAskedForWithNothingAppliedSinceTheLatestTakesNoViewOfTheStateMachine() throws Exception {
        // A view may hold what only its writeTo releases (the JPA state machines' temporary file): one that
        // the node would drop unwritten must not be taken at all.
        Journal journal = new Journal();
        RaftNode node = new RaftNode(config("solo", "solo").withSnapshots(SMALL.onDemandOnly()), new InMemoryRaftLog(),
                new LocalNetwork().transport("solo"), journal);
        node.start();
        submitAll(node, "v", 10);
        SnapshotMeta taken = node.takeSnapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        SnapshotMeta again = node.takeSnapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(again).as("nothing applied since: the latest snapshot").isEqualTo(taken);
        assertThat(journal.views()).as("views taken of the state machine").isEqualTo(1);
        node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aViewTheLogCannotBeginToStoreIsDiscardedSoItReleasesWhatItHolds() throws Exception {
        Journal journal = new Journal();
        RaftNode node = new RaftNode(config("solo", "solo").withSnapshots(SMALL.onDemandOnly()),
                new SnapshotRefusingLog(), new LocalNetwork().transport("solo"), journal);
        node.start();
        submitAll(node, "v", 10);

        assertThatThrownBy(() -> node.takeSnapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasRootCauseMessage("no room for a snapshot");
        assertThat(journal.views()).as("views taken").isEqualTo(1);
        assertThat(journal.discarded()).as("views discarded unwritten").isEqualTo(1);
        node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The in-memory log, except that it cannot begin to store a snapshot. */
    private static final class SnapshotRefusingLog extends ForwardingLog {
        @Override
        public boolean supportsSnapshots() {
            return true;
        }

        @Override
        public SnapshotSink beginSnapshot(long index, long term, ClusterConfiguration configuration) {
            throw new IllegalStateException("no room for a snapshot");
        }
    }

    @Test
    void aRestartRefusesATornSnapshotThatTheStateMachinesOwnReaderWouldNotNotice() throws Exception {
        InMemoryRaftLog log = new InMemoryRaftLog();
        LocalNetwork network = new LocalNetwork();
        RaftNode node = new RaftNode(config("solo", "solo"), log, network.transport("solo"), new Journal());
        node.start();
        submitAll(node, "a", 120);
        node.takeSnapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // The compaction is queued on the storage thread as the snapshot completes, and a stop drops what is still
        // queued there: on a loaded machine, stopping at once could leave the log whole.
        await(() -> log.firstIndex() > 1, "the log compacted behind the snapshot, so the restart needs it");
        node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // The last byte is inside the last line: Journal.restore stops reading right there.
        log.corruptSnapshot();

        Journal fresh = new Journal();
        RaftNode again = new RaftNode(config("solo", "solo"), log, network.transport("solo"), fresh);

        assertThatThrownBy(again::start).isInstanceOf(LogBrokenException.class).hasMessageContaining("checksum");
        assertThat(fresh.lines()).as("nothing restored").isEmpty();
        assertThat(log.isBroken()).isTrue();
    }
}
