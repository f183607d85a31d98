package org.raftengine.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling and pausing for the harness's own timeline (start-up, warm-up, measurement). */
final class Waits {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Waits() {
    }

    /** Polls {@code probe} until it gives a non-null value or {@code timeout} passes (then null). */
    static <T> T until(Duration timeout, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null || System.nanoTime() - deadline >= 0) {
                return value;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Polls {@code condition} until true or {@code timeout} passes; answers whether it became true. */
    static boolean untilTrue(Duration timeout, BooleanSupplier condition) {
        return until(timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null) != null;
    }

    /** Lets {@code nanos} pass on the calling thread (interruptions end the pause early). */
    static void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left;
        while ((left = deadline - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(left);
        }
    }
}
