package org.raftengine.testkit.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.raftengine.core.Cancellable;
import org.raftengine.core.runtime.NodeRuntime;

/**
 * The {@link NodeRuntime} of one incarnation of a simulated node: every executor task and timer
 * becomes an event of the {@link Simulation}, on virtual time.
 *
 * <p>Each executor keeps FIFO order: a task is never scheduled before the previous task of the same
 * executor, even when the storage executor is given a random extra delay to model a slow disk. Timers
 * run on the protocol executor's queue.
 *
 * <p>{@link #shutdown()} is a crash: every pending event of this incarnation is discarded (so a log
 * write not yet run is lost) and later submissions are ignored. A restarted node gets a new runtime.
 *
 * <p>The node's clock can run at a rate other than 1 ({@link #setClockRate}) to model clock skew: a
 * node with rate 2 sees twice as much time pass, and its timers fire after half the virtual time.
 */
public final class SimRuntime implements NodeRuntime {
    /** The wall-clock time at virtual time 0: 2026-01-01T00:00:00Z. */
    static final long SIM_EPOCH_MILLIS = 1_767_225_600_000L;


    private final Simulation sim;
    private final String nodeId;
    private final int incarnation;
    private final SplittableRandom random;
    private final SplittableRandom faultRandom;
    private final Lane protocol = new Lane(EventKind.PROTOCOL);
    private final Lane storage = new Lane(EventKind.STORAGE);
    private final Lane apply = new Lane(EventKind.APPLY);
    private final Lane callbacks = new Lane(EventKind.CALLBACK);
    private final Lane snapshots = new Lane(EventKind.SNAPSHOT);

    private boolean dead;
    private long droppedTasks;
    private double clockRate = 1.0;
    private long anchorSim;
    private long anchorNode;
    private long storageDelayMin;
    private long storageDelayMax;

    /**
     * @param incarnation which run of the node this is (1 for the first start); it seeds this
     *                    incarnation's randomness, so a restarted node draws new election timeouts
     */
    public SimRuntime(Simulation sim, String nodeId, int incarnation) {
        this.sim = Objects.requireNonNull(sim, "sim");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.incarnation = incarnation;
        this.random = sim.random("node-runtime", Seeds.of(nodeId), incarnation);
        // A separate stream, so injected delays never shift the engine's own random draws.
        this.faultRandom = sim.random("node-faults", Seeds.of(nodeId), incarnation);
        this.anchorSim = sim.now();
        this.anchorNode = sim.now();
    }

    /** The node this runtime serves. */
    public String nodeId() {
        return nodeId;
    }

    /** Which run of the node this is, from 1. */
    public int incarnation() {
        return incarnation;
    }

    /** True once {@link #shutdown()} was called. */
    public boolean isShutdown() {
        return dead;
    }

    /** Tasks submitted after shutdown, and so ignored. */
    public long droppedTasks() {
        return droppedTasks;
    }

    @Override
    public long nanoTime() {
        return anchorNode + (long) ((sim.now() - anchorSim) * clockRate);
    }

    /**
     * Wall-clock time: a fixed epoch plus this node's clock ({@link #nanoTime}), so it runs at the node's clock
     * rate, as a skewed wall clock would.
     */
    @Override
    public long currentTimeMillis() {
        return SIM_EPOCH_MILLIS + nanoTime() / 1_000_000L;
    }

    /** Sets how fast this node's clock runs relative to virtual time (1.0 is exact); time stays continuous. */
    public void setClockRate(double rate) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("clock rate must be positive: " + rate);
        }
        anchorNode = nanoTime();
        anchorSim = sim.now();
        clockRate = rate;
    }

    /** The current clock rate. */
    public double clockRate() {
        return clockRate;
    }

    /** Gives every storage task an extra delay drawn uniformly from [min, max], as from a slow disk. */
    public void setStorageDelay(Duration min, Duration max) {
        long lo = min.toNanos();
        long hi = max.toNanos();
        if (lo < 0 || hi < lo) {
            throw new IllegalArgumentException("need 0 <= min <= max, got " + min + ", " + max);
        }
        storageDelayMin = lo;
        storageDelayMax = hi;
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
        Objects.requireNonNull(task, "task");
        if (dead) {
            droppedTasks++;
            return () -> { };
        }
        long simDelay = (long) Math.ceil(Math.max(0, delayNanos) / clockRate);
        SimEvent e = sim.enqueue(sim.now() + simDelay, this, nodeId, EventKind.TIMER,
                "timer " + TraceRow.formatMillis(delayNanos) + " ms" + cause(), task);
        return () -> e.cancelled = true;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    /**
     * A crash: every pending event of this incarnation is discarded, callbacks included. The stage is
     * complete at once: the simulation runs one event at a time, so no storage or apply task is running
     * while this one calls shutdown, and none of this incarnation runs again.
     */
    @Override
    public CompletionStage<Void> shutdown() {
        if (!dead) {
            dead = true;
            int discarded = sim.discard(this);
            sim.record(nodeId, EventKind.FAULT, "runtime #" + incarnation + " shut down, " + discarded
                    + " pending events discarded");
        }
        return CompletableFuture.completedFuture(null);
    }

    private String cause() {
        long step = sim.currentStep();
        return step == 0 ? "" : " <-#" + step;
    }

    /** One executor: a FIFO lane of events. */
    private final class Lane implements Executor {
        private final EventKind kind;
        private long lastTime;

        Lane(EventKind kind) {
            this.kind = kind;
        }

        @Override
        public void execute(Runnable task) {
            Objects.requireNonNull(task, "task");
            if (dead) {
                droppedTasks++;
                return;
            }
            long delay = 0;
            if (this == storage && storageDelayMax > 0) {
                delay = storageDelayMin == storageDelayMax ? storageDelayMin
                        : storageDelayMin + faultRandom.nextLong(storageDelayMax - storageDelayMin + 1);
            }
            // Never before this lane's previous task: executors are FIFO, whatever the delays.
            long time = Math.max(sim.now() + delay, lastTime);
            lastTime = time;
            sim.enqueue(time, SimRuntime.this, nodeId, kind, "task" + cause(), task);
        }
    }
}
