package org.raftengine.core.runtime;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.raftengine.core.Cancellable;

/**
 * Time, randomness and the executors a node runs on: the one seam through which the engine meets the
 * clock and threads, so the deterministic simulator can run the very same engine code on virtual time.
 *
 * <p>Each executor runs its tasks one at a time, in submission order. The protocol executor owns all
 * Raft state; the storage executor calls the {@code RaftLog}; the apply executor calls the
 * {@code StateMachine}; the callback executor completes the futures handed to users and calls
 * listeners, so user code never runs on the protocol thread.
 */
public interface NodeRuntime {

    /** Monotonic time in nanoseconds (never wall-clock time). */
    long nanoTime();

    /**
     * Wall-clock time in milliseconds since the epoch. Never used for elections, leases or time-outs; only
     * a leader reads it, to stamp session commands, and the session table makes it non-decreasing along the
     * log, so client sessions expire by the time replicated in the log, alike on every replica.
     */
    default long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    /** Runs Raft state changes: one task at a time. */
    Executor protocolExecutor();

    /** Runs log calls: one task at a time. */
    Executor storageExecutor();

    /** Runs state machine calls: one task at a time. */
    Executor applyExecutor();

    /**
     * Writes snapshots out (a state machine's view into the log's snapshot sink, chunks received from the
     * leader): long work kept off the other executors, so the node serves while it runs.
     */
    Executor snapshotExecutor();

    /** Completes user futures and calls listeners. */
    Executor callbackExecutor();

    /** Runs {@code task} on the protocol executor after {@code delayNanos}. */
    Cancellable schedule(long delayNanos, Runnable task);

    /** Randomness for election timeouts and ids; used on the protocol thread only. */
    RandomGenerator random();

    /**
     * Stops the executors: tasks not yet run are dropped, except those already queued on the callback
     * executor, which still run (they complete the futures users wait on). Idempotent.
     *
     * @return completes, after those callbacks, once no task of the protocol, storage or apply executor
     *         runs or can begin any more: the node's stop waits for it, because an application closes
     *         the resources behind its log and state machine as soon as the node has stopped
     */
    CompletionStage<Void> shutdown();
}
