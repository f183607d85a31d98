package org.raftengine.core.engine;

import org.raftengine.core.runtime.NodeRuntime;

/**
 * When a pipeline (storage, apply) tries again after failures in a row: 20 ms after the first, doubling
 * up to 5 s. A failure also arms a wake-up at the retry time, so the retry happens even if no other
 * event comes.
 */
final class RetryBackoff {
    private static final long MILLIS = 1_000_000L;
    private static final long MAX_MILLIS = 5_000;

    private final NodeRuntime runtime;
    private final EventLoop events;
    private int failuresInARow;
    private long retryAtNanos;

    RetryBackoff(NodeRuntime runtime, EventLoop events) {
        this.runtime = runtime;
        this.events = events;
    }

    /** True while the last failure's back-off has not run out. */
    boolean waiting() {
        return retryAtNanos != 0 && runtime.nanoTime() < retryAtNanos;
    }

    /** An attempt succeeded: the next failure starts the back-off afresh. */
    void succeeded() {
        failuresInARow = 0;
        retryAtNanos = 0;
    }

    /** Counts a failure without waiting yet (the caller may give up instead). */
    int countFailure() {
        return ++failuresInARow;
    }

    /** Waits before the next attempt, by the failures counted so far; returns the wait in milliseconds. */
    long waitBeforeRetry() {
        long backoff = Math.min(MAX_MILLIS, 10L << Math.min(failuresInARow, 9)) * MILLIS;
        retryAtNanos = runtime.nanoTime() + backoff;
        events.schedule(backoff, () -> { });
        return backoff / MILLIS;
    }
}
