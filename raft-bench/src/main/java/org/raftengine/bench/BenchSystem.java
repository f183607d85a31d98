package org.raftengine.bench;

import java.time.Duration;

/**
 * One Raft library under test, as the harness drives it: three nodes in this JVM, each on an in-memory
 * log, connected by an in-memory transport that hands each message directly to its target, with a
 * trivial state machine.
 *
 * <p>An implementation is used for one trial: {@link #start}, then many {@link #submit} calls from many
 * threads, then {@link #stop}. Adding a library to the benchmark is adding an implementation and naming
 * it in {@link BenchSystems}.
 */
public interface BenchSystem {

    /** The name printed in results and given to {@code --systems}. */
    String name();

    /**
     * Starts three nodes and returns once a leader is known and can take commands.
     *
     * @throws Exception if no leader emerges within {@code timeout}, or a node fails to start
     */
    void start(Duration timeout) throws Exception;

    /**
     * Submits one command to the leader. {@code callback} is called exactly once, on any thread,
     * when the outcome is known. It may be called before this method returns for an outcome other
     * than {@link Outcome#COMMITTED} (for example a leader that refuses at once); the harness copes.
     * Thread-safe. A system whose clients read (see {@link #readCounts}) runs a linearizable read on the leader
     * instead, {@code command} unused, and answers {@link Outcome#COMMITTED} once it was served.
     */
    void submit(byte[] command, SubmitCallback callback);

    /** Stops every node and waits (at most {@code timeout}) for them to finish. Idempotent. */
    void stop(Duration timeout) throws Exception;

    /** A short note on anything unusual seen during the trial (leader changes, drops), or "". */
    default String diagnostics() {
        return "";
    }

    /**
     * For a system whose clients read (each {@link #submit} a linearizable read, its command ignored): the
     * system's own count of reads served so far, and of those that took their read index on the leader's lease.
     * Null (the default) for a system whose clients write. The harness reads it as the measured window opens and
     * closes. Thread-safe.
     */
    default ReadCounts readCounts() {
        return null;
    }

    /**
     * Reads served so far and, of them, those given their read index on a lease (without a heartbeat round).
     *
     * @param served  reads whose query ran
     * @param onLease reads whose read index the leader gave on its lease
     */
    record ReadCounts(long served, long onLease) {
    }

    /** How a submitted command ended. */
    enum Outcome {
        /** Committed and applied (for a read: served). */
        COMMITTED,
        /** Certainly not committed (no leader, not the leader, back-pressure): submit it again. */
        RETRY,
        /** It may or may not have committed (time-out, leader change) or failed otherwise. */
        FAILED
    }

    /** Receives the outcome of one {@link #submit}. */
    @FunctionalInterface
    interface SubmitCallback {
        void completed(Outcome outcome);
    }
}
