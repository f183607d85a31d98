package org.raftengine.core.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RejectedCommandException;
import org.raftengine.core.TransientApplyException;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.StateSnapshot;
import org.raftengine.core.wire.ConfigurationCodec;
import org.raftengine.core.wire.MalformedFrameException;
import org.raftengine.core.wire.SessionCommand;
import org.raftengine.core.wire.SessionCommandCodec;

/**
 * Applies committed entries in log order on the apply executor, one batch in flight, never past the
 * durable index. Per entry the outcome goes to {@link ClientCommands}. A session command goes through the
 * {@link ClientSessions} table first, which this pipeline owns (it changes on the apply executor, in log
 * order, with the state machine): only a sequence not applied before reaches the state machine; a duplicate
 * is recorded as applied and answered with its original outcome. Failures: a command the state
 * machine rejects is an outcome like any other (recorded with {@link StateMachine#recordRejected}); a transient failure is retried with back-off, never
 * skipping an entry; any other failure is a bug or non-determinism, and after {@link #FATAL_APPLY_ATTEMPTS}
 * the node marks its log broken and stops rather than diverge.
 *
 * <p>A state machine that {@link StateMachine#appliesInBatches() applies in batches} gets each batch as one
 * atomic step: the session table takes a {@link ClientSessions#checkpoint checkpoint},
 * {@link StateMachine#beginBatch}, the entries as above, {@link StateMachine#commitBatch}; only then are the
 * outcomes handed on (clients answered, the applied index advanced). If an entry fails in the step, rejected
 * or otherwise, or the commit fails, the step is aborted ({@link StateMachine#abortBatch}, the session table
 * rolled back) and, for a batch of more than one entry, the same entries are applied again one per step: the
 * entries before the failing one are committed; a rejected entry's effects go with its aborted step and its
 * rejection is recorded in a step of its own; any other failure aborts its step and is handled as above, the
 * outcome covering only the entries committed before it.
 *
 * <p>Snapshot work on the state machine (taking a view of it, restoring it from a snapshot) runs on the
 * same executor, alone: it waits until no batch is in flight, and no batch is handed while it waits or
 * runs. So a view is taken exactly at the applied index, and a restore fences off every apply before it
 * (and never runs inside a step).
 */
final class ApplyPipeline {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_APPLY_BATCH = 1024;
    private static final int FATAL_APPLY_ATTEMPTS = 3;

    private final String nodeId;
    private final StateMachine stateMachine;
    private final NodeRuntime runtime;
    private final EventLoop events;
    private final LogView logView;
    private final ClientCommands clients;
    /** Marks the log broken and stops the node, for the given reason. */
    private final Consumer<String> breakLog;
    /** Deliberately broken rule, for tests of the checkers only (RuleBreach.APPLY_BEFORE_COMMIT). */
    private final boolean breakCommitRule;
    private final RetryBackoff backoff;
    /** The state machine {@link StateMachine#appliesInBatches() applies in batches}: one atomic step per batch. */
    private final boolean inSteps;

    private boolean applyInFlight;
    /** Snapshot work waiting for the apply executor; applies wait while any is queued or running. */
    private final ArrayDeque<Runnable> exclusive = new ArrayDeque<>();
    private boolean exclusiveRunning;
    private int fatalFailuresInARow;
    private final AtomicLong failuresTotal = new AtomicLong();
    /** Bytes of the entries applied by this incarnation, for the snapshot trigger. */
    private long appliedBytes;
    /**
     * The client-session table, as of the applied index. Touched only on the apply executor, but for
     * {@link #loadSessions} before the node runs; replaced by a restore.
     */
    private ClientSessions sessions;

    ApplyPipeline(String nodeId, StateMachine stateMachine, NodeRuntime runtime, EventLoop events, LogView logView,
                  ClientCommands clients, Consumer<String> breakLog, boolean breakCommitRule) {
        this.nodeId = nodeId;
        this.stateMachine = stateMachine;
        this.runtime = runtime;
        this.events = events;
        this.logView = logView;
        this.clients = clients;
        this.breakLog = breakLog;
        this.breakCommitRule = breakCommitRule;
        this.backoff = new RetryBackoff(runtime, events);
        this.sessions = new ClientSessions(logView.settings().sessionTimeoutMillis());
        this.inSteps = stateMachine.appliesInBatches();
    }

    /**
     * At start, before the node runs: the session table starts as {@code base} (a snapshot's), or empty
     * with {@code timeoutMillis}; then {@link #replaySessions} brings it up to the state machine's applied index.
     */
    void loadSessions(ClientSessions base, long timeoutMillis) {
        sessions = base != null ? base : new ClientSessions(timeoutMillis);
    }

    /**
     * At start, before the node runs: entries the state machine applied after the table's snapshot, for
     * bookkeeping only (they are not applied again). Their outputs are not in the log: a state machine that
     * {@link StateMachine#keepsOutcomes() keeps outcomes} is asked for that of each session command the table
     * admits (applied, not a duplicate); otherwise, or where it kept none, the outcome is unknown (see
     * {@link ClientSessions#replay}).
     *
     * <p>If asking fails, the start fails, naming the index (it is the state machine's database unreachable at
     * start): falling back to unknown outcomes would keep exactly once as well, but would refuse for good (the
     * table goes into the next snapshot) duplicates whose original answers are kept, and which a start retried
     * once the database is back gives.
     *
     * @throws IllegalStateException if the state machine failed to tell an outcome, its failure as the cause
     */
    void replaySessions(Iterable<LogEntry> appliedSince) {
        LongFunction<AppliedOutcome> kept = stateMachine.keepsOutcomes() ? this::keptOutcome : i -> null;
        for (LogEntry e : appliedSince) {
            if (e.type() == EntryType.CONFIGURATION) {
                sessions.onTimeout(ConfigurationCodec.decode(e.data()).settings().sessionTimeoutMillis());
            } else if (e.type() == EntryType.SESSION_COMMAND) {
                SessionCommand c = decodeOrNull(e);
                if (c != null) {
                    sessions.replay(c, e.index(), kept);
                }
            }
        }
    }

    private AppliedOutcome keptOutcome(long index) {
        try {
            return stateMachine.outcomeAt(index);
        } catch (RuntimeException e) {
            throw new IllegalStateException("node " + nodeId + ": the state machine (" + stateMachine.getClass()
                    .getName() + ") failed to tell the outcome it kept of the command applied at index " + index
                    + ", asked at start to answer duplicates of it; the node does not start without it", e);
        }
    }

    /** Sessions in the table; for tests, read when no apply runs. */
    int sessionCount() {
        return sessions.size();
    }

    private static SessionCommand decodeOrNull(LogEntry e) {
        try {
            return SessionCommandCodec.decode(e.data());
        } catch (MalformedFrameException malformed) {
            return null; // never appended by a leader (it checks forwards); refused alike on every replica
        }
    }

    /** Bytes of the entries applied since this incarnation started. */
    long appliedBytes() {
        return appliedBytes;
    }

    /** Failed applies so far; read from any thread. */
    long failuresTotal() {
        return failuresTotal.get();
    }

    /** After every event: hands the next batch of committed, durable entries to the apply executor. */
    void maybeApply() {
        if (applyInFlight || exclusiveRunning) {
            return;
        }
        if (!exclusive.isEmpty()) {
            if (!backoff.waiting()) {
                exclusiveRunning = true;
                exclusive.poll().run();
            }
            return;
        }
        if (backoff.waiting()) {
            return;
        }
        long upTo = breakCommitRule ? logView.durableIndex() : Math.min(logView.commitIndex(), logView.durableIndex());
        long applied = logView.appliedIndex();
        if (applied >= upTo) {
            return;
        }
        long from = applied + 1;
        long to = Math.min(upTo, from + MAX_APPLY_BATCH - 1);
        LogEntry[] batch = new LogEntry[(int) (to - from + 1)];
        for (long i = from; i <= to; i++) {
            batch[(int) (i - from)] = logView.entry(i);
        }
        applyInFlight = true;
        runtime.applyExecutor().execute(() -> {
            Outcome outcome = applyBatch(batch);
            events.execute(() -> onApplied(outcome));
        });
    }

    /**
     * What a batch did, for its first {@code applied} entries: the state machine's output for each
     * command ({@code outputs}, null for other entries) or why it refused it ({@code rejections}, made
     * only when one is refused), then the failure that stopped the batch, if any. Outputs stay raw:
     * only the node that awaits an entry turns its output into a {@link CommandResult}, so followers
     * make none.
     */
    private record Outcome(LogEntry[] batch, byte[][] outputs, String[] rejections, CommandResult[] answers,
                           int applied, RuntimeException failure) {
        String rejection(int k) {
            return rejections == null ? null : rejections[k];
        }

        CommandResult answer(int k) {
            return answers == null ? null : answers[k];
        }
    }

    /** Runs on the apply executor. */
    private Outcome applyBatch(LogEntry[] batch) {
        if (!inSteps) {
            return applyEntries(batch);
        }
        if (batch.length > 1) {
            Outcome whole = applyInOneStep(batch);
            if (whole != null) {
                return whole;
            }
        }
        return applyOnePerStep(batch);
    }

    /** Each entry on its own, as the state machine makes each one atomic (no steps). */
    private Outcome applyEntries(LogEntry[] batch) {
        BatchResults r = new BatchResults(batch);
        for (int k = 0; k < batch.length; k++) {
            try {
                applyEntry(r, k);
            } catch (RejectedCommandException rejected) {
                String reason = String.valueOf(rejected.getMessage());
                try {
                    stateMachine.recordRejected(batch[k].index(), reason);
                } catch (RuntimeException | Error recordFailed) {
                    return r.outcome(k, UserCodeFailure.of(recordFailed));
                }
                r.reject(k, reason);
                if (r.admitted != null) {
                    sessions.recorded(r.admitted, batch[k].index(), null, reason);
                }
            } catch (RuntimeException | Error failure) {
                return r.outcome(k, UserCodeFailure.of(failure));
            }
        }
        return r.outcome(batch.length, null);
    }

    /**
     * The outcomes of a batch's entries, filled as they are applied; in steps, an aborted step's are dropped
     * with it.
     */
    private static final class BatchResults {
        final LogEntry[] batch;
        final byte[][] outputs;
        String[] rejections;
        CommandResult[] answers;
        /** The session command of the entry being applied, if it is one the table admitted. */
        SessionCommand admitted;

        BatchResults(LogEntry[] batch) {
            this.batch = batch;
            this.outputs = new byte[batch.length][];
        }

        void answer(int k, CommandResult answer) {
            if (answers == null) {
                answers = new CommandResult[batch.length];
            }
            answers[k] = answer;
        }

        void reject(int k, String reason) {
            if (rejections == null) {
                rejections = new String[batch.length];
            }
            rejections[k] = reason;
        }

        Outcome outcome(int applied, RuntimeException failure) {
            return new Outcome(batch, outputs, rejections, answers, applied, failure);
        }
    }

    // ---- atomic steps (a state machine that applies in batches)

    /**
     * The whole batch in one step: its outcome once committed, or null if anything failed (a rejection
     * included) and the step was undone, state machine and session table alike. If the state machine could
     * not undo it (its abort failed), nothing is applied on top of it: the outcome is that failure, no entry
     * applied.
     */
    private Outcome applyInOneStep(LogEntry[] batch) {
        BatchResults r = new BatchResults(batch);
        sessions.checkpoint();
        try {
            stateMachine.beginBatch();
            for (int k = 0; k < batch.length; k++) {
                applyEntry(r, k);
            }
            stateMachine.commitBatch();
        } catch (RuntimeException | Error failure) {
            RuntimeException original = UserCodeFailure.of(failure);
            RuntimeException undone = abortStep(original);
            if (undone != original) {
                return new BatchResults(batch).outcome(0, undone);
            }
            LOG.log(Level.DEBUG, () -> "node " + nodeId + ": the step of entries " + batch[0].index() + " to "
                    + batch[batch.length - 1].index() + " failed (" + original + "); applying them one per step");
            return null;
        }
        sessions.release();
        return r.outcome(batch.length, null);
    }

    /**
     * Each entry in a step of its own; a rejected one's rejection in a step of its own. Stops at the first
     * other failure: the outcome then covers the entries committed before it.
     */
    private Outcome applyOnePerStep(LogEntry[] batch) {
        BatchResults r = new BatchResults(batch);
        for (int k = 0; k < batch.length; k++) {
            LogEntry e = batch[k];
            sessions.checkpoint();
            try {
                stateMachine.beginBatch();
                String rejection = null;
                try {
                    applyEntry(r, k);
                } catch (RejectedCommandException rejected) {
                    rejection = String.valueOf(rejected.getMessage());
                }
                if (rejection == null) {
                    stateMachine.commitBatch();
                } else {
                    // Its effects go with this step; its rejection is recorded in a step of its own.
                    stateMachine.abortBatch();
                    stateMachine.beginBatch();
                    stateMachine.recordRejected(e.index(), rejection);
                    stateMachine.commitBatch();
                    r.reject(k, rejection);
                    if (r.admitted != null) {
                        sessions.recorded(r.admitted, e.index(), null, rejection);
                    }
                }
            } catch (RuntimeException | Error failure) {
                return r.outcome(k, abortStep(UserCodeFailure.of(failure)));
            }
            sessions.release();
        }
        return r.outcome(batch.length, null);
    }

    /**
     * Applies {@code r.batch[k]} through the session table, on its own or inside a step; a rejection or any
     * failure propagates (to be recorded, or the step aborted).
     */
    private void applyEntry(BatchResults r, int k) {
        LogEntry e = r.batch[k];
        r.admitted = null;
        if (e.type() == EntryType.COMMAND) {
            byte[] output = stateMachine.apply(e.index(), e.data());
            r.outputs[k] = output == null ? EMPTY : output;
        } else if (e.type() == EntryType.SESSION_COMMAND) {
            SessionCommand session = decodeOrNull(e);
            CommandResult answer = session == null
                    ? new CommandResult.Refused("entry " + e.index() + " holds no valid session command")
                    : sessions.admit(session);
            if (answer == null) {
                r.admitted = session;
                byte[] output = stateMachine.apply(e.index(), session.command());
                r.outputs[k] = output == null ? EMPTY : output;
                sessions.recorded(session, e.index(), r.outputs[k], null);
            } else {
                stateMachine.recordApplied(e.index());
                r.answer(k, answer);
            }
        } else {
            if (e.type() == EntryType.CONFIGURATION) {
                sessions.onTimeout(ConfigurationCodec.decode(e.data()).settings().sessionTimeoutMillis());
            }
            stateMachine.recordApplied(e.index());
        }
    }

    /**
     * After {@code failure} inside a step: aborts it and rolls the session table back to the step's checkpoint.
     * Returns the failure to report: {@code failure} itself, or the abort's own failure (carrying it) if the
     * state machine could not undo the step.
     */
    private RuntimeException abortStep(RuntimeException failure) {
        RuntimeException reported = failure;
        try {
            stateMachine.abortBatch();
        } catch (RuntimeException | Error abortFailed) {
            RuntimeException a = UserCodeFailure.of(abortFailed);
            a.addSuppressed(reported);
            reported = a;
        } finally {
            sessions.rollback();
        }
        return reported;
    }

    private void onApplied(Outcome outcome) {
        applyInFlight = false;
        for (int k = 0; k < outcome.applied(); k++) {
            LogEntry e = outcome.batch()[k];
            appliedBytes += e.sizeBytes();
            logView.appliedUpTo(e.index());
            clients.resolvePending(e, outcome.outputs()[k], outcome.rejection(k), outcome.answer(k));
        }
        if (outcome.failure() == null) {
            backoff.succeeded();
            fatalFailuresInARow = 0;
        } else {
            onApplyFailed(outcome.batch()[outcome.applied()], outcome.failure());
        }
        logView.evictFromMemory();
    }

    // ---- snapshots

    /**
     * Takes a view of the state machine once no apply is in flight, at the applied index then, and hands
     * both to {@code onView} as an event (or the failure to {@code onFailure}).
     */
    void takeView(BiConsumer<Long, StateSnapshot> onView, Consumer<RuntimeException> onFailure) {
        exclusive.add(() -> {
            long at = logView.appliedIndex();
            runtime.applyExecutor().execute(() -> {
                StateSnapshot view;
                try {
                    StateSnapshot machine = stateMachine.snapshot();
                    // The table as of the same applied index, copied now: applies go on while the view is written.
                    byte[] table = sessions.toBytes();
                    view = new StateSnapshot() {
                        @Override
                        public void writeTo(OutputStream out) throws IOException {
                            SnapshotEnvelope.writeHeader(out, table);
                            machine.writeTo(out);
                        }

                        @Override
                        public void discard() {
                            machine.discard();
                        }
                    };
                } catch (RuntimeException | Error e) {
                    RuntimeException failure = UserCodeFailure.of(e);
                    events.execute(() -> {
                        exclusiveRunning = false;
                        onFailure.accept(failure);
                    });
                    return;
                }
                events.execute(() -> {
                    exclusiveRunning = false;
                    onView.accept(at, view);
                });
            });
        });
        maybeApply();
    }

    /**
     * Replaces the state machine's state with snapshot {@code meta}, read through {@code open}, once no
     * apply is in flight; then the applied index is the snapshot's and {@code onRestored} runs as an event.
     * Skipped if {@code stillWanted} says a newer snapshot took its place meanwhile. A failure is retried
     * with back-off like an apply's (the state machine's state is as before a failed restore).
     */
    void restore(SnapshotMeta meta, Function<SnapshotMeta, InputStream> open,
                 Predicate<SnapshotMeta> stillWanted, Runnable onRestored) {
        exclusive.add(() -> runRestore(meta, open, stillWanted, onRestored));
        maybeApply();
    }

    private void runRestore(SnapshotMeta meta, Function<SnapshotMeta, InputStream> open,
                            Predicate<SnapshotMeta> stillWanted, Runnable onRestored) {
        if (!stillWanted.test(meta) || logView.appliedIndex() >= meta.index()) {
            exclusiveRunning = false;
            if (stillWanted.test(meta)) {
                onRestored.run();
            }
            return;
        }
        runtime.applyExecutor().execute(() -> {
            RuntimeException failure = null;
            try (InputStream data = open.apply(meta)) {
                SnapshotEnvelope.Opened opened = SnapshotEnvelope.read(data);
                stateMachine.restore(meta.index(), opened.state());
                // Only once the state is restored: a failed restore leaves state and sessions as they were.
                sessions = opened.sessions() != null ? opened.sessions()
                        : new ClientSessions(meta.configuration().settings().sessionTimeoutMillis());
            } catch (IOException e) {
                failure = new UncheckedIOException(e);
            } catch (RuntimeException | Error e) {
                failure = UserCodeFailure.of(e);
            }
            RuntimeException failed = failure;
            events.execute(() -> {
                exclusiveRunning = false;
                if (failed == null) {
                    backoff.succeeded();
                    fatalFailuresInARow = 0;
                    logView.appliedUpTo(meta.index());
                    onRestored.run();
                    return;
                }
                exclusive.addFirst(() -> runRestore(meta, open, stillWanted, onRestored));
                onRestoreFailed(meta, failed);
            });
        });
    }

    private void onRestoreFailed(SnapshotMeta meta, RuntimeException failure) {
        // A read that failed (the snapshot replaced meanwhile, storage unreachable) is tried again, like a
        // transient failure; what the state machine throws otherwise counts toward marking the log broken.
        failed("restoring snapshot " + meta.index() + "/" + meta.term(),
                failure instanceof TransientApplyException || failure instanceof UncheckedIOException, failure);
    }

    private void onApplyFailed(LogEntry entry, RuntimeException failure) {
        failed("applying entry " + entry.index() + " (term " + entry.term() + ")",
                failure instanceof TransientApplyException, failure);
    }

    /**
     * Counts a failure of {@code what}: retried after a back-off, or, the {@link #FATAL_APPLY_ATTEMPTS}th
     * non-transient failure in a row, the log is marked broken and the node stops rather than diverge.
     */
    private void failed(String what, boolean transientFailure, RuntimeException failure) {
        failuresTotal.incrementAndGet();
        backoff.countFailure();
        if (!transientFailure) {
            fatalFailuresInARow++;
            if (fatalFailuresInARow >= FATAL_APPLY_ATTEMPTS) {
                String reason = what + " failed " + fatalFailuresInARow + " times: " + failure;
                LOG.log(Level.ERROR, "node " + nodeId + ": " + reason + "; marking the log broken and stopping",
                        failure);
                exclusive.clear();
                breakLog.accept(reason);
                return;
            }
        }
        long waitMillis = backoff.waitBeforeRetry();
        LOG.log(Level.WARNING, "node " + nodeId + ": " + what + " failed ("
                + (transientFailure ? "transient" : "attempt " + fatalFailuresInARow + " of " + FATAL_APPLY_ATTEMPTS)
                + "); retrying in " + waitMillis + " ms", failure);
    }
}
