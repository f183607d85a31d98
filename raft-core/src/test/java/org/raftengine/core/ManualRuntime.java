package org.raftengine.core;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.raftengine.core.runtime.NodeRuntime;

/**
 * A deterministic {@link NodeRuntime} for one node in raft-core's tests: every task and timer runs on the
 * test's thread, one at a time, when the test says so, on a virtual clock (the raft-testkit simulator's idea,
 * without the cluster). The apply executor can be held: its tasks wait, the others run, so a test decides
 * which committed entries make up the next batch.
 */
final class ManualRuntime implements NodeRuntime {
    private record Task(long time, long seq, Runnable run) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final SplittableRandom random = new SplittableRandom(7);
    private final Lane protocol = new Lane();
    private final Lane storage = new Lane();
    private final Lane apply = new Lane();
    private final Lane snapshots = new Lane();
    private final Lane callbacks = new Lane();
    private final Lane[] lanes = {protocol, storage, apply, snapshots, callbacks};
    private final PriorityQueue<Task> timers = new PriorityQueue<>();
    private long now;
    private long seq;
    private boolean dead;
    private boolean applyHeld;
    private Runnable afterEachTask = () -> { };

    /** One executor: FIFO, its tasks queued at the time they were handed. */
    private final class Lane implements Executor {
        final ArrayDeque<Task> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            if (!dead || this == callbacks) {
                tasks.add(new Task(now, seq++, task));
            }
        }
    }

    /** Runs {@code check} after every task (say, an invariant). */
    void afterEachTask(Runnable check) {
        this.afterEachTask = check;
    }

    /** While held, apply tasks wait (queued, in order); everything else runs. */
    void holdApply(boolean held) {
        this.applyHeld = held;
    }

    /** Apply tasks waiting. */
    int applyTasksWaiting() {
        return apply.tasks.size();
    }

    /** Runs the next task or timer; false if there is none that may run. */
    boolean runOne() {
        Lane next = null;
        for (Lane l : lanes) {
            if ((l != apply || !applyHeld) && !l.tasks.isEmpty()
                    && (next == null || l.tasks.peek().compareTo(next.tasks.peek()) < 0)) {
                next = l;
            }
        }
        Task t;
        if (next != null && (timers.isEmpty() || next.tasks.peek().compareTo(timers.peek()) < 0)) {
            t = next.tasks.poll();
        } else if (!timers.isEmpty()) {
            t = timers.poll();
        } else {
            return false;
        }
        now = Math.max(now, t.time());
        t.run().run();
        afterEachTask.run();
        return true;
    }

    /**
     * Runs tasks and timers until {@code condition} holds, for at most {@code maxMillis} of virtual time.
     *
     * @throws AssertionError if it does not come to hold
     */
    void runUntil(BooleanSupplier condition, long maxMillis) {
        long deadline = now + maxMillis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (now > deadline || !runOne()) {
                throw new AssertionError("condition not met within " + maxMillis + " ms of virtual time");
            }
        }
    }

    /** Runs every task and timer due within {@code millis} of virtual time from now. */
    void runFor(long millis) {
        long end = now + millis * 1_000_000L;
        while (true) {
            boolean taskDue = false;
            for (Lane l : lanes) {
                taskDue |= (l != apply || !applyHeld) && !l.tasks.isEmpty();
            }
            if (!taskDue && (timers.isEmpty() || timers.peek().time() > end)) {
                break;
            }
            runOne();
        }
        now = Math.max(now, end);
    }

    @Override
    public long nanoTime() {
        return now;
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
    public Executor snapshotExecutor() {
        return snapshots;
    }

    @Override
    public Executor callbackExecutor() {
        return callbacks;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        if (dead) {
            return () -> { };
        }
        Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
        timers.add(t);
        return () -> timers.remove(t);
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    /** Drops every task but the callbacks queued (they still run when the test runs them). */
    @Override
    public CompletionStage<Void> shutdown() {
        dead = true;
        for (Lane l : lanes) {
            if (l != callbacks) {
                l.tasks.clear();
            }
        }
        timers.clear();
        return CompletableFuture.completedFuture(null);
    }
}
