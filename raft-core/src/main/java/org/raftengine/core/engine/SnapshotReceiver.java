package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.core.message.InstallSnapshotResponse;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.CorruptSnapshotException;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;

/**
 * The follower's side of a snapshot transfer: handles {@link InstallSnapshot}. Chunks are taken strictly in
 * order, one at a time: each is written into the log's snapshot sink on the snapshot executor and then
 * acknowledged with the offset expected next; a duplicate, a chunk out of order or a chunk that comes while
 * one is being written is answered with that offset (or dropped), so the leader resumes from there. A chunk
 * of another transfer (another leader term, another snapshot) abandons the one under way. Once every byte
 * is there and matches the checksum, the sink is committed on the storage executor (storage writes wait
 * meanwhile, and so do new entries from the leader), the view follows what storage did, the state machine is
 * restored, and the leader is told the snapshot is installed.
 *
 * <p>Nothing is visible before the commit, so a crash mid-transfer leaves the old state, and the leader's
 * next chunk (past offset 0) is answered with offset 0: the transfer starts over.
 */
final class SnapshotReceiver {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());

    private final RaftEngine engine;
    private final NodeState state;
    private final RaftLog log;
    private final NodeRuntime runtime;
    private final EventLoop events;
    private final LogView logView;
    private final Outbox outbox;
    private final StoragePipeline storage;
    private final ApplyPipeline apply;
    private final FollowerAppend follower;
    private final ClientCommands clients;
    private String disabledReason = "not started";

    private Transfer transfer;
    private final AtomicLong installed = new AtomicLong();

    /** One snapshot being received; its sink and checksum are touched on the snapshot executor only. */
    private static final class Transfer {
        final String leader;
        final long leaderTerm;
        final long index;
        final long term;
        final ClusterConfiguration configuration;
        final long totalBytes;
        final int checksum;
        final CRC32C crc = new CRC32C();
        SnapshotSink sink;
        long received;
        /** The offset of the last chunk written: the commit answers it. */
        long lastChunkOffset;
        boolean writing;
        boolean committing;

        Transfer(InstallSnapshot m) {
            leader = m.from();
            leaderTerm = m.term();
            index = m.index();
            term = m.snapshotTerm();
            configuration = m.configuration();
            totalBytes = m.totalBytes();
            checksum = m.checksum();
        }

        boolean carries(InstallSnapshot m) {
            return leader.equals(m.from()) && leaderTerm == m.term() && index == m.index()
                    && term == m.snapshotTerm() && totalBytes == m.totalBytes() && checksum == m.checksum();
        }
    }

    SnapshotReceiver(RaftEngine engine, NodeState state, RaftLog log, NodeRuntime runtime, EventLoop events,
                     LogView logView, Outbox outbox, StoragePipeline storage, ApplyPipeline apply,
                     FollowerAppend follower, ClientCommands clients) {
        this.engine = engine;
        this.state = state;
        this.log = log;
        this.runtime = runtime;
        this.events = events;
        this.logView = logView;
        this.outbox = outbox;
        this.storage = storage;
        this.apply = apply;
        this.follower = follower;
        this.clients = clients;
    }

    /** At start: installs are possible if {@code reasonOff} is null. */
    void start(String reasonOff) {
        this.disabledReason = reasonOff;
    }

    /** Snapshots installed from a leader so far; read from any thread. */
    long installed() {
        return installed.get();
    }

    /** True while a transfer is under way: its sink is open. */
    boolean receiving() {
        return transfer != null;
    }

    /**
     * A new term: a transfer of an earlier leader is dropped (a new leader sends its own, or entries), rather
     * than kept open with its sink for ever. One being committed finishes.
     */
    void newTerm() {
        if (transfer != null && !transfer.committing) {
            abandon("a new term began");
        }
    }

    /** True while a received snapshot is being committed: the log must not change under it. */
    boolean committing() {
        return transfer != null && transfer.committing;
    }

    void onInstallSnapshot(InstallSnapshot m) {
        if (m.term() < state.term()) {
            // Tells a stale leader there is a newer term, so it steps down.
            reply(m, 0, false);
            return;
        }
        if (!follower.followLeader(m)) {
            return;
        }
        if (disabledReason != null) {
            engine.refuse(m, "this node cannot install snapshots: " + disabledReason);
            return;
        }
        if (m.index() <= Math.min(logView.commitIndex(), logView.durableIndex())) {
            // Its log already holds, durably, committed entries past the snapshot: nothing to install. (Not
            // durable, they could be lost by a crash after this answer, and the leader would wait forever.)
            reply(m, m.totalBytes(), true);
            return;
        }
        if (transfer != null && !transfer.carries(m)) {
            if (transfer.committing) {
                return; // the leader sends again, and by then this commit is done
            }
            abandon("superseded by snapshot " + m.index() + "/" + m.snapshotTerm() + " of " + m.from());
        }
        if (transfer == null) {
            if (m.offset() != 0) {
                reply(m, 0, false);
                return;
            }
            transfer = new Transfer(m);
            LOG.log(Level.DEBUG, "node {0} receives snapshot {1}/{2} ({3} bytes) from {4}", state.id, m.index(),
                    m.snapshotTerm(), m.totalBytes(), m.from());
        }
        Transfer t = transfer;
        if (t.writing || t.committing) {
            return; // one chunk at a time: the leader re-sends what goes unanswered
        }
        if (m.offset() != t.received) {
            reply(m, t.received, false);
            return;
        }
        t.writing = true;
        byte[] data = m.data();
        runtime.snapshotExecutor().execute(() -> {
            try {
                if (t.sink == null) {
                    t.sink = log.beginSnapshot(t.index, t.term, t.configuration);
                }
                t.sink.write(data, 0, data.length);
                t.crc.update(data);
                events.execute(() -> onChunkWritten(t, m.offset(), data.length));
            } catch (RuntimeException | Error e) {
                RuntimeException failure = UserCodeFailure.of(e);
                events.execute(() -> onFailed(t, m.offset(), "writing a chunk failed", failure));
            }
        });
    }

    private void onChunkWritten(Transfer t, long offset, int length) {
        if (transfer != t) {
            return;
        }
        t.writing = false;
        t.received += length;
        t.lastChunkOffset = offset;
        if (t.received < t.totalBytes) {
            reply(t, offset, t.received, false);
            return;
        }
        if ((int) t.crc.getValue() != t.checksum) {
            // Torn in transit, or the leader's stored copy is corrupt: the leader is told, so it checks its own.
            LOG.log(Level.WARNING, "node {0}: snapshot {1}/{2} from {3} fails its checksum; never installed",
                    state.id, t.index, t.term, t.leader);
            abandon("fails its checksum");
            reply(t, offset, InstallSnapshotResponse.CORRUPT, false);
            return;
        }
        t.committing = true;
        storage.pauseWrites();
        long snapshotIndex = t.index;
        runtime.storageExecutor().execute(() -> {
            try {
                SnapshotSink sink = t.sink != null ? t.sink : log.beginSnapshot(t.index, t.term, t.configuration);
                SnapshotMeta meta = sink.commit();
                if (meta.sizeBytes() != t.totalBytes || meta.checksum() != t.checksum) {
                    // The log kept other bytes than it was given: never restore them.
                    throw new CorruptSnapshotException("the log committed snapshot " + meta.index() + " with "
                            + meta.sizeBytes() + " bytes and checksum " + meta.checksum() + ", but was given "
                            + t.totalBytes + " bytes with checksum " + t.checksum);
                }
                boolean kept = log.firstIndex() <= snapshotIndex && log.lastIndex() >= snapshotIndex;
                events.execute(() -> onCommitted(t, meta, kept));
            } catch (RuntimeException | Error e) {
                RuntimeException failure = UserCodeFailure.of(e);
                events.execute(() -> {
                    storage.resumeWrites();
                    onFailed(t, t.lastChunkOffset, "committing the snapshot failed", failure);
                });
            }
        });
    }

    private void onCommitted(Transfer t, SnapshotMeta meta, boolean keptInStorage) {
        transfer = null;
        boolean keep = keptInStorage && logView.lastIndex() >= meta.index() && logView.firstIndex() <= meta.index()
                && logView.termAt(meta.index()) == meta.term();
        logView.snapshotInstalled(meta, keep);
        storage.resumeWrites();
        installed.incrementAndGet();
        LOG.log(Level.INFO, "node {0} installed snapshot {1}/{2} from {3}{4}", state.id, meta.index(), meta.term(),
                t.leader, keep ? "" : "; it replaced the whole log");
        if (state.term() == t.leaderTerm) {
            follower.matchedByLeader(meta.index());
        }
        clients.coveredBySnapshot(meta.index());
        apply.restore(meta, m -> VerifiedSnapshot.open(log, m), m -> m.sameAs(logView.snapshot()), () -> { });
        reply(t, t.lastChunkOffset, meta.sizeBytes(), true);
    }

    private void onFailed(Transfer t, long chunkOffset, String what, RuntimeException e) {
        LOG.log(Level.WARNING, "node " + state.id + ": snapshot " + t.index + "/" + t.term + " from " + t.leader
                + ": " + what + "; the transfer starts over", e);
        if (transfer == t) {
            abandon(what);
            reply(t, chunkOffset, 0, false);
        }
    }

    /** Drops the transfer under way; its sink is aborted on the snapshot executor, after any write. */
    private void abandon(String why) {
        Transfer t = transfer;
        transfer = null;
        LOG.log(Level.DEBUG, "node {0} abandons snapshot {1}/{2}: {3}", state.id, t.index, t.term, why);
        runtime.snapshotExecutor().execute(() -> {
            if (t.sink != null) {
                t.sink.abort();
            }
        });
    }

    /** Answers chunk {@code m}. */
    private void reply(InstallSnapshot m, long nextOffset, boolean done) {
        outbox.send(new InstallSnapshotResponse(state.id, m.from(), state.storageId(), state.term(), m.index(),
                m.snapshotTerm(), m.offset(), nextOffset, done));
    }

    /** Answers the chunk at {@code chunkOffset} of transfer {@code t}. */
    private void reply(Transfer t, long chunkOffset, long nextOffset, boolean done) {
        outbox.send(new InstallSnapshotResponse(state.id, t.leader, state.storageId(), state.term(), t.index, t.term,
                chunkOffset, nextOffset, done));
    }

    /** The node halts: a transfer under way is dropped (nothing of it was committed). */
    void stop() {
        if (transfer != null && !transfer.committing) {
            abandon("node stopped");
        }
    }
}
