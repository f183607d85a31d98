package org.raftengine.jms;

import java.time.Duration;

/**
 * Lets a repeated condition (the broker down, bad frames arriving) be logged once per interval instead
 * of once per occurrence: the first occurrence is logged at once, later ones when the interval since the
 * last line has passed. Thread-safe.
 */
final class LogThrottle {

    private final long intervalNanos;
    private boolean armed = true;
    private long lastNanos;

    LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** True if a line may be logged now; if so, the interval starts again from {@code nowNanos}. */
    synchronized boolean due(long nowNanos) {
        if (armed || nowNanos - lastNanos >= intervalNanos) {
            armed = false;
            lastNanos = nowNanos;
            return true;
        }
        return false;
    }

    /** The condition is over: its next occurrence is logged at once. */
    synchronized void reset() {
        armed = true;
    }
}
