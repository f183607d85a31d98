package org.raftengine.core.runtime;

import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.raftengine.core.Cancellable;

/**
 * The production runtime: a protocol thread, a storage thread, an apply thread and a callback
 * thread, each a lock-free mailbox, plus a timer thread that hands due timers to the protocol thread.
 * All are daemons named after the node.
 *
 * <p>For a log and a state machine that never block (the in-memory ones),
 * {@link #withInlineStorageAndApply(String)} runs storage and apply tasks on the protocol thread
 * itself, through the same code path, saving two thread hand-offs per command.
 */
public final class ThreadedRuntime implements NodeRuntime {
    private final MailboxExecutor protocol;
    private final MailboxExecutor storage;
    private final MailboxExecutor apply;
    private final MailboxExecutor callbacks;
    private final ScheduledThreadPoolExecutor timers;
    private final RandomGenerator random = new SplittableRandom();

    /** Storage and apply on threads of their own: for logs and state machines that may block. */
    public ThreadedRuntime(String nodeId) {
        this(nodeId, false);
    }

    private ThreadedRuntime(String nodeId, boolean inline) {
        String prefix = "raft-" + nodeId + "-";
        this.protocol = new MailboxExecutor(prefix + "protocol");
        this.storage = inline ? null : new MailboxExecutor(prefix + "storage");
        this.apply = inline ? null : new MailboxExecutor(prefix + "apply");
        this.callbacks = new MailboxExecutor(prefix + "callbacks");
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, prefix + "timers");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    /** Storage and apply tasks run on the protocol thread: only for a log and state machine that never block. */
    public static ThreadedRuntime withInlineStorageAndApply(String nodeId) {
        return new ThreadedRuntime(nodeId, true);
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
        return storage != null ? storage : Runnable::run;
    }

    @Override
    public Executor applyExecutor() {
        return apply != null ? apply : Runnable::run;
    }

    @Override
    public Executor callbackExecutor() {
        return callbacks;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        ScheduledFuture<?> f = timers.schedule(() -> {
            try {
                protocol.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // The node stopped while the timer waited.
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public void shutdown() {
        timers.shutdownNow();
        protocol.shutdown(false);
        if (storage != null) {
            storage.shutdown(false);
        }
        if (apply != null) {
            apply.shutdown(false);
        }
        // Callbacks already queued still run: they complete the futures users wait on.
        callbacks.shutdown(true);
    }
}
