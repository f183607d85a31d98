package org.raftengine.core.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.raftengine.core.Cancellable;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.StateMachine;

/**
 * The production runtime: a protocol thread, a storage thread, an apply thread, a callback thread and
 * a snapshot thread, each a lock-free mailbox, plus a timer thread that hands due timers to the protocol thread.
 * All are daemons named after the node.
 *
 * <p>For a log and a state machine that never block (the in-memory ones),
 * {@link #withInlineStorageAndApply(String)} runs storage and apply tasks on the protocol thread
 * itself, through the same code path, saving two thread hand-offs per command;
 * {@link #forLogAndStateMachine} decides from what the log and the state machine say of themselves
 * ({@link RaftLog#neverBlocks()}, {@link StateMachine#neverBlocks()}).
 *
 * <p>An idle mailbox thread polls its queue for a while before it parks ({@link #DEFAULT_IDLE_POLL}
 * unless given): under load, the next task is taken without a park and an unpark, which on 2 cores
 * raised throughput 1.6 to 2 times and cut p99 latency about threefold; the price is that a node with
 * a steady stream of work keeps its mailbox threads running (they yield to any other thread that wants
 * a core). A server that prefers idle cores to microseconds passes {@link Duration#ZERO}: the threads
 * then park at once.
 */
public final class ThreadedRuntime implements NodeRuntime {
    /** How long an idle mailbox thread polls before it parks, by default: 100 microseconds. */
    public static final Duration DEFAULT_IDLE_POLL = Duration.ofNanos(MailboxExecutor.DEFAULT_POLL_NANOS);

    private final MailboxExecutor protocol;
    private final MailboxExecutor storage;
    private final MailboxExecutor apply;
    private final MailboxExecutor callbacks;
    private final MailboxExecutor snapshots;
    private final ScheduledThreadPoolExecutor timers;
    private final RandomGenerator random = new SplittableRandom();
    private final AtomicBoolean shutDown = new AtomicBoolean();
    private final CompletableFuture<Void> quiet = new CompletableFuture<>();

    /** Storage and apply on threads of their own: for logs and state machines that may block. */
    public ThreadedRuntime(String nodeId) {
        this(nodeId, DEFAULT_IDLE_POLL);
    }

    /**
     * Storage and apply on threads of their own, idle threads polling for {@code idlePoll} before they park.
     *
     * @throws IllegalArgumentException if {@code idlePoll} is negative
     */
    public ThreadedRuntime(String nodeId, Duration idlePoll) {
        this(nodeId, false, false, idlePoll);
    }

    private ThreadedRuntime(String nodeId, boolean inlineStorage, boolean inlineApply, Duration idlePoll) {
        String prefix = "raft-" + nodeId + "-";
        long poll = idlePoll.toNanos();
        this.protocol = new MailboxExecutor(prefix + "protocol", poll);
        this.storage = inlineStorage ? null : new MailboxExecutor(prefix + "storage", poll);
        this.apply = inlineApply ? null : new MailboxExecutor(prefix + "apply", poll);
        this.callbacks = new MailboxExecutor(prefix + "callbacks", poll);
        // Snapshots are rare and long: this thread parks at once when idle, even on the inline runtime.
        this.snapshots = new MailboxExecutor(prefix + "snapshots", 0);
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, prefix + "timers");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    /** Storage and apply tasks run on the protocol thread: only for a log and state machine that never block. */
    public static ThreadedRuntime withInlineStorageAndApply(String nodeId) {
        return new ThreadedRuntime(nodeId, true, true, DEFAULT_IDLE_POLL);
    }

    /**
     * The runtime for {@code log} and {@code stateMachine}: storage tasks on the protocol thread if the log
     * {@linkplain RaftLog#neverBlocks() never blocks}, apply tasks there if the state machine never blocks,
     * each on a thread of its own otherwise. What {@code new RaftNode(config, log, transport, stateMachine)}
     * runs on.
     */
    public static ThreadedRuntime forLogAndStateMachine(String nodeId, RaftLog log, StateMachine stateMachine) {
        return new ThreadedRuntime(nodeId, Objects.requireNonNull(log, "log").neverBlocks(),
                Objects.requireNonNull(stateMachine, "stateMachine").neverBlocks(), DEFAULT_IDLE_POLL);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
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
    public Executor snapshotExecutor() {
        return snapshots;
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

    /**
     * {@inheritDoc}
     *
     * <p>The stage completes on the callback thread, once the protocol, storage and apply threads have
     * ended; the protocol thread too, since with {@link #withInlineStorageAndApply} it is the one that
     * calls the log and the state machine. A log call that never returns keeps it from completing.
     */
    @Override
    public CompletionStage<Void> shutdown() {
        if (!shutDown.compareAndSet(false, true)) {
            return quiet;
        }
        timers.shutdownNow();
        protocol.shutdown(false);
        if (storage != null) {
            storage.shutdown(false);
        }
        if (apply != null) {
            apply.shutdown(false);
        }
        snapshots.shutdown(false);
        // The last callback: the threads it waits for never wait for the callback thread, so this ends.
        callbacks.execute(() -> {
            protocol.awaitTermination();
            if (storage != null) {
                storage.awaitTermination();
            }
            if (apply != null) {
                apply.awaitTermination();
            }
            // Snapshots are written into the log from this thread: it too must be done.
            snapshots.awaitTermination();
            quiet.complete(null);
        });
        callbacks.shutdown(true);
        return quiet;
    }
}
