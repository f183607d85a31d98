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
     * Thread-safe.
     */
    void submit(byte[] command, SubmitCallback callback);

    /** Stops every node and waits (at most {@code timeout}) for them to finish. Idempotent. */
    void stop(Duration timeout) throws Exception;

    /** A short note on anything unusual seen during the trial (leader changes, drops), or "". */
    default String diagnostics() {
        return "";
    }

    /** How a submitted command ended. */
    enum Outcome {
        /** Committed and applied. */
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
