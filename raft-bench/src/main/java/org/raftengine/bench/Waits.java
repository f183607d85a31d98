package org.raftengine.bench;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling, pausing and delayed retries for the harness's own timeline (start-up, warm-up, measurement). */
final class Waits {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Waits() {
    }

    /** One daemon thread named {@code threadName} for delayed tasks (a client's retry); it never keeps the JVM up. */
    static ScheduledExecutorService daemonScheduler(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
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
