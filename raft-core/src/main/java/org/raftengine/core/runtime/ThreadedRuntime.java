package org.raftengine.core.runtime;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import org.raftengine.core.Cancellable;

/**
 * The production runtime: a protocol thread (which also runs timers), a storage thread, an apply
 * thread and a callback thread, all daemons named after the node.
 */
public final class ThreadedRuntime implements NodeRuntime {
    private final ScheduledExecutorService protocol;
    private final ExecutorService storage;
    private final ExecutorService apply;
    private final ExecutorService callbacks;
    private final RandomGenerator random = new SplittableRandom();

    public ThreadedRuntime(String nodeId) {
        this.protocol = Executors.newSingleThreadScheduledExecutor(factory("raft-" + nodeId + "-protocol"));
        this.storage = Executors.newSingleThreadExecutor(factory("raft-" + nodeId + "-storage"));
        this.apply = Executors.newSingleThreadExecutor(factory("raft-" + nodeId + "-apply"));
        this.callbacks = Executors.newSingleThreadExecutor(factory("raft-" + nodeId + "-callbacks"));
    }

    private static java.util.concurrent.ThreadFactory factory(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, n.getAndIncrement() == 0 ? name : name + "-" + n.get());
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
        return storage;
    }

    @Override
    public Executor applyExecutor() {
        return apply;
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
        for (ExecutorService e : List.of(protocol, storage, apply)) {
            e.shutdownNow();
        }
        // Callbacks already queued still run: they complete the futures users wait on.
        callbacks.shutdown();
    }
}
