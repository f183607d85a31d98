package org.raftengine.bench;

import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.raftengine.core.Cancellable;
import org.raftengine.core.runtime.NodeRuntime;

/**
 * A runtime for a node whose log and state machine never block (the in-memory ones): storage and
 * apply run on the protocol thread itself, through the same engine code path ({@code DESIGN.md}:
 * "a log or state machine that never blocks may run on a same-thread executor"). Callbacks keep
 * their own thread, as the API promises. The benchmark's {@code raftengine-direct} variant uses it to
 * show what the storage and apply thread hops cost; it is not one of the compared configurations.
 */
final class SameThreadRuntime implements NodeRuntime {
    private final ScheduledExecutorService protocol;
    private final ExecutorService callbacks;
    private final RandomGenerator random = new SplittableRandom();

    SameThreadRuntime(String nodeId) {
        this.protocol = Executors.newSingleThreadScheduledExecutor(daemon("bench-" + nodeId + "-protocol"));
        this.callbacks = Executors.newSingleThreadExecutor(daemon("bench-" + nodeId + "-callbacks"));
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Executor protocolExecutor() {
        return protocol;
    }

    @Override
    public Executor storageExecutor() {
        return Runnable::run;
    }

    @Override
    public Executor applyExecutor() {
        return Runnable::run;
    }

    @Override
    public Executor callbackExecutor() {
        return callbacks;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        ScheduledFuture<?> f = protocol.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public void shutdown() {
        protocol.shutdownNow();
        callbacks.shutdown();
    }
}
