package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;

/**
 * Writes the log and the hard state on the storage executor, by group commit: one write in flight, and
 * everything that became pending meanwhile goes in the next one, as a single {@code append} (which also
 * replaces any conflicting suffix, so a truncation and the append that follows are one durable step).
 * A failed write is retried with back-off; nothing is acknowledged until it succeeds.
 */
final class StoragePipeline {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());

    private final String nodeId;
    private final RaftLog raftLog;
    private final NodeRuntime runtime;
    private final EventLoop events;
    private final NodeState state;
    private final LogView logView;
    private final Outbox outbox;
    /** What the node does once a write completes (commit as leader, acknowledge as follower). */
    private final Runnable afterWrite;

    private boolean hardStateUnwritten;
    private boolean writeInFlight;
    /** While a received snapshot is committed, no new write starts (they would race its replacement of the log). */
    private boolean paused;
    private final RetryBackoff backoff;
    private final AtomicLong failuresTotal = new AtomicLong();

    StoragePipeline(String nodeId, RaftLog raftLog, NodeRuntime runtime, EventLoop events, NodeState state,
                    LogView logView, Outbox outbox, Runnable afterWrite) {
        this.nodeId = nodeId;
        this.raftLog = raftLog;
        this.runtime = runtime;
        this.events = events;
        this.state = state;
        this.logView = logView;
        this.outbox = outbox;
        this.afterWrite = afterWrite;
        this.backoff = new RetryBackoff(runtime, events);
    }

    /** Failed writes so far; read from any thread. */
    long failuresTotal() {
        return failuresTotal.get();
    }

    /** The term or vote changed: it goes in the next write, and messages wait until it is durable. */
    void hardStateChanged() {
        outbox.hardStateChanged();
        hardStateUnwritten = true;
    }

    void pauseWrites() {
        paused = true;
    }

    void resumeWrites() {
        paused = false;
    }

    /** After every event: starts a write if none is in flight and something is pending. */
    void flushWrites() {
        if (writeInFlight || paused || backoff.waiting()) {
            return;
        }
        boolean entries = logView.hasUnwritten();
        if (!entries && !hardStateUnwritten) {
            return;
        }
        List<LogEntry> batch = entries ? logView.takeUnwritten() : List.of();
        HardState hard = hardStateUnwritten ? new HardState(state.term(), state.votedFor()) : null;
        long version = outbox.hardStateVersion();
        hardStateUnwritten = false;
        writeInFlight = true;
        runtime.storageExecutor().execute(() -> {
            try {
                if (hard != null) {
                    raftLog.saveHardState(hard);
                }
                if (!batch.isEmpty()) {
                    raftLog.append(batch);
                }
                events.execute(() -> onWritten(hard != null, version, batch));
            } catch (RuntimeException | Error e) {
                RuntimeException failure = UserCodeFailure.of(e);
                events.execute(() -> onWriteFailed(hard != null, batch, failure));
            }
        });
    }

    private void onWritten(boolean hardStateWritten, long version, List<LogEntry> batch) {
        writeInFlight = false;
        backoff.succeeded();
        if (hardStateWritten) {
            outbox.hardStateDurable(version);
        }
        if (!batch.isEmpty()) {
            logView.durableUpTo(batch.get(batch.size() - 1));
        }
        afterWrite.run();
    }

    private void onWriteFailed(boolean hardStateWritten, List<LogEntry> batch, RuntimeException e) {
        writeInFlight = false;
        int failuresInARow = backoff.countFailure();
        failuresTotal.incrementAndGet();
        if (hardStateWritten) {
            hardStateUnwritten = true;
        }
        if (!batch.isEmpty()) {
            logView.rewriteFrom(batch.get(0).index());
        }
        long waitMillis = backoff.waitBeforeRetry();
        LOG.log(Level.WARNING, "node " + nodeId + ": storage write failed (" + failuresInARow + " in a row); nothing"
                + " is acknowledged until it succeeds; retrying in " + waitMillis + " ms", e);
    }
}
