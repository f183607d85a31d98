package org.raftengine.core.engine;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.SnapshotPolicy;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;
import org.raftengine.core.spi.StateSnapshot;

/**
 * Snapshots of this node's own state machine, and the compaction of the log they allow.
 *
 * <p>A snapshot is due by the {@link SnapshotPolicy} (entries or bytes applied since the last one) or asked
 * for ({@link #request}). It is taken in three steps, one at a time: the state machine's view at the
 * applied index, on the apply executor between two batches ({@link ApplyPipeline#takeView}); the view
 * written into the log's snapshot sink on the snapshot executor, while the node goes on replicating,
 * committing and applying; the commit of the sink on the storage executor, in order with appends. Then
 * the log is compacted up to the snapshot's index less the trailing entries, in the view at once and in
 * storage in order with appends: a follower within the trailing entries is sent entries, one further
 * behind the snapshot (it never pins the log).
 */
final class LocalSnapshots {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    private static final int WRITE_BUFFER_BYTES = 64 << 10;

    private final String nodeId;
    private final RaftLog log;
    private final NodeRuntime runtime;
    private final EventLoop events;
    private final LogView logView;
    private final ApplyPipeline apply;
    private final SnapshotPolicy policy;
    /** True while a snapshot from the leader is being received (its sink open). */
    private final BooleanSupplier receiving;
    /** True while this node, as leader, sends its snapshot to a follower. */
    private final BooleanSupplier sending;
    /** How much further than its threshold an automatic snapshot waits for a transfer of the current one. */
    private static final int POSTPONE_FACTOR = 16;
    private String disabledReason = "not started";

    private boolean busy;
    /** The latest snapshot is corrupt in storage: the next one is taken as soon as anything is applied. */
    private boolean replaceCorrupt;
    /** Snapshots asked for, each with the applied index when it was asked: its snapshot must cover that. */
    private final List<Request> waiting = new ArrayList<>();

    private record Request(CompletableFuture<SnapshotMeta> done, long atLeast) {
    }
    /** The applied index and applied bytes when the last snapshot was taken (or tried). */
    private long lastIndex;
    private long lastBytes;
    private final AtomicLong taken = new AtomicLong();

    LocalSnapshots(String nodeId, RaftLog log, NodeRuntime runtime, EventLoop events, LogView logView,
                   ApplyPipeline apply, SnapshotPolicy policy, BooleanSupplier receiving, BooleanSupplier sending) {
        this.nodeId = nodeId;
        this.log = log;
        this.runtime = runtime;
        this.events = events;
        this.logView = logView;
        this.apply = apply;
        this.policy = policy;
        this.receiving = receiving;
        this.sending = sending;
    }

    /** At start: snapshots are on if {@code disabledReason} is null. */
    void start(String reasonOff) {
        this.disabledReason = reasonOff;
        SnapshotMeta s = logView.snapshot();
        lastIndex = s == null ? 0 : s.index();
        lastBytes = apply.appliedBytes();
    }

    /** Snapshots taken and committed so far; read from any thread. */
    long taken() {
        return taken.get();
    }

    /** After every event: takes a snapshot if one is due and none is under way. */
    void maybeTrigger() {
        if (busy || disabledReason != null || receiving.getAsBoolean()) {
            // While a snapshot from the leader is received, its sink is the one open: a second one (and the
            // log's clean-up of sinks it may do when another begins) must wait until it is committed.
            return;
        }
        SnapshotMeta current = logView.snapshot();
        boolean mustReplace = replaceCorrupt && current != null && logView.appliedIndex() > current.index();
        long entries = logView.appliedIndex() - lastIndex;
        long bytes = apply.appliedBytes() - lastBytes;
        // While the snapshot is being sent to a follower (and the transfer progresses), a newer one would make
        // the transfer start over; one slower than the snapshot interval would then never end. So automatic
        // snapshots wait, up to POSTPONE_FACTOR times the threshold (the log stays bounded); on-demand ones
        // never wait.
        boolean due = sending.getAsBoolean()
                ? policy.due(entries / POSTPONE_FACTOR, bytes / POSTPONE_FACTOR) : policy.due(entries, bytes);
        if (mustReplace || !waiting.isEmpty() || due) {
            take();
        }
    }

    /** Asks for a snapshot now; {@code done} completes with it (on the protocol thread). */
    void request(CompletableFuture<SnapshotMeta> done) {
        if (disabledReason != null) {
            done.completeExceptionally(new UnsupportedOperationException("node " + nodeId + " takes no snapshots: "
                    + disabledReason));
            return;
        }
        // A snapshot under way may have taken its view before this request: it does not answer it.
        waiting.add(new Request(done, logView.appliedIndex()));
        if (!busy && !receiving.getAsBoolean()) {
            take();
        }
    }

    private void take() {
        busy = true;
        lastIndex = logView.appliedIndex();
        lastBytes = apply.appliedBytes();
        SnapshotMeta current = logView.snapshot();
        if (lastIndex == 0 || (current != null && lastIndex <= current.index())) {
            // Nothing applied since the latest snapshot: write() would drop the view unwritten, and a view may
            // hold what only its writeTo releases (a temporary file, a read transaction). So none is taken.
            finish(current);
            return;
        }
        apply.takeView(this::write, this::failed);
    }

    /** The state machine's view at {@code index}: written out on the snapshot executor, committed on storage. */
    private void write(long index, StateSnapshot view) {
        SnapshotMeta current = logView.snapshot();
        if (index == 0 || (current != null && index <= current.index())) {
            discard(view);
            finish(current); // nothing applied since: the latest snapshot is as recent as it gets
            return;
        }
        long term = logView.termAt(index);
        ClusterConfiguration configuration = logView.configurationAt(index);
        runtime.snapshotExecutor().execute(() -> {
            SnapshotSink sink = null;
            try {
                try {
                    sink = log.beginSnapshot(index, term, configuration);
                } catch (RuntimeException | Error e) {
                    discard(view);
                    throw e;
                }
                try (OutputStream out = new BufferedOutputStream(new SinkOutputStream(sink), WRITE_BUFFER_BYTES)) {
                    view.writeTo(out);
                }
            } catch (IOException | RuntimeException | Error e) {
                abort(sink);
                RuntimeException failure = e instanceof IOException io ? new UncheckedIOException(io)
                        : UserCodeFailure.of(e);
                events.execute(() -> failed(failure));
                return;
            }
            SnapshotSink written = sink;
            runtime.storageExecutor().execute(() -> {
                try {
                    SnapshotMeta meta = written.commit();
                    events.execute(() -> committed(meta));
                } catch (RuntimeException | Error e) {
                    abort(written);
                    RuntimeException failure = UserCodeFailure.of(e);
                    events.execute(() -> failed(failure));
                }
            });
        });
    }

    /** The view will not be written: what it holds goes (a failure to release it is only logged). */
    private void discard(StateSnapshot view) {
        try {
            view.discard();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "node " + nodeId + ": the state machine failed to discard a snapshot view", e);
        }
    }

    private static void abort(SnapshotSink sink) {
        if (sink != null) {
            try {
                sink.abort();
            } catch (RuntimeException ignored) {
                // Nothing of it was committed; what is left behind is the log's to clean up.
            }
        }
    }

    /**
     * The stored snapshot {@code meta} fails its checksum: it is replaced by a new one as soon as an entry
     * after it is applied (a snapshot replaces only an older one).
     */
    void replaceCorrupt(SnapshotMeta meta) {
        SnapshotMeta current = logView.snapshot();
        if (current != null && current.sameAs(meta)) {
            LOG.log(Level.ERROR, "node {0}: its stored snapshot {1}/{2} fails its checksum; it is never sent again,"
                    + " and a new snapshot replaces it", nodeId, meta.index(), meta.term());
            replaceCorrupt = true;
        }
    }

    private void committed(SnapshotMeta meta) {
        replaceCorrupt = false;
        logView.snapshotTaken(meta);
        taken.incrementAndGet();
        LOG.log(Level.DEBUG, "node {0} took snapshot {1}/{2} ({3} bytes)", nodeId, meta.index(), meta.term(),
                meta.sizeBytes());
        compact(logView.snapshot());
        finish(logView.snapshot());
    }

    /** Discards the entries the snapshot covers but the trailing ones; only entries applied (so durable). */
    private void compact(SnapshotMeta meta) {
        long upTo = Math.min(meta.index() - policy.trailingEntries(), logView.appliedIndex());
        if (upTo < logView.firstIndex()) {
            return;
        }
        logView.compactTo(upTo);
        long index = upTo;
        runtime.storageExecutor().execute(() -> {
            try {
                log.compactUpTo(index);
            } catch (RuntimeException e) {
                // The entries stay in storage; the next snapshot compacts further.
                LOG.log(Level.WARNING, "node " + nodeId + ": compacting the log up to " + index + " failed", e);
            }
        });
    }

    private void failed(RuntimeException e) {
        LOG.log(Level.WARNING, "node " + nodeId + ": taking a snapshot failed; the log keeps its entries until the"
                + " next one", e);
        busy = false;
        List<Request> done = List.copyOf(waiting);
        waiting.clear();
        done.forEach(r -> r.done().completeExceptionally(e));
    }

    /**
     * The snapshot is done ({@code meta}, or null if the node applied nothing yet): it answers the requests it
     * covers; a request made after its view was taken waits for the next one, which {@link #maybeTrigger} takes.
     */
    private void finish(SnapshotMeta meta) {
        busy = false;
        List<Request> done = List.copyOf(waiting);
        waiting.clear();
        for (Request r : done) {
            if (meta == null) {
                r.done().completeExceptionally(new IllegalStateException("node " + nodeId + " has applied nothing yet"));
            } else if (meta.index() >= r.atLeast()) {
                r.done().complete(meta);
            } else {
                waiting.add(r);
            }
        }
    }

    /** The node stops: requests still waiting fail. */
    void stop(String reason) {
        List<Request> done = List.copyOf(waiting);
        waiting.clear();
        done.forEach(r -> r.done().completeExceptionally(new IllegalStateException(reason)));
    }

    /** Writes into a sink (which copies what it is given, as the contract of its write allows us to reuse). */
    private static final class SinkOutputStream extends OutputStream {
        private final SnapshotSink sink;

        SinkOutputStream(SnapshotSink sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            sink.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sink.write(b, off, len);
        }
    }
}
