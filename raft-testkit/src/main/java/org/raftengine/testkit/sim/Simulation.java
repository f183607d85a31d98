package org.raftengine.testkit.sim;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.raftengine.core.Cancellable;

/**
 * A deterministic discrete-event simulation: one virtual clock and one event queue, driven by a seed.
 *
 * <p>Time starts at 0 and moves only when an event runs. Events are ordered by (time, sequence number),
 * so events due at the same instant run in the order they were enqueued, and nothing depends on wall
 * time or threads: the same seed and the same test code replay a run exactly. All randomness comes
 * from {@link #random(String, long...)}, derived from the seed.
 *
 * <p>After every step the simulation records a {@link TraceRow} (kept in a bounded ring buffer) and
 * runs the registered {@link StepListener}s. An exception thrown by an event's task is taken for a bug:
 * the run stops with an {@link InvariantViolation} that carries the seed and the trace.
 *
 * <p>Not thread-safe, by design: everything runs on the caller's thread.
 */
public final class Simulation {

    /** Default number of trace rows kept. */
    public static final int DEFAULT_TRACE_CAPACITY = 20_000;

    // A livelock at one instant (a task that resubmits itself forever) would otherwise hang the test.
    private static final long MAX_EVENTS_PER_INSTANT = 1_000_000;

    private final long seed;
    private final PriorityQueue<SimEvent> queue = new PriorityQueue<>(SimEvent::compareTo);
    private final ArrayDeque<TraceRow> trace;
    private final int traceCapacity;
    private final List<StepListener> listeners = new ArrayList<>();
    private Supplier<List<NodeState>> nodeStates = List::of;

    private long now;
    private long nextSeq;
    private long steps;
    private long instant = -1;
    private long eventsAtInstant;

    private SimEvent current;
    private long currentStep;
    private List<String> currentNotes;

    /** A simulation with the default trace capacity. */
    public Simulation(long seed) {
        this(seed, DEFAULT_TRACE_CAPACITY);
    }

    /** A simulation keeping the last {@code traceCapacity} rows of its trace. */
    public Simulation(long seed, int traceCapacity) {
        if (traceCapacity <= 0) {
            throw new IllegalArgumentException("traceCapacity must be positive");
        }
        this.seed = seed;
        this.traceCapacity = traceCapacity;
        this.trace = new ArrayDeque<>(Math.min(traceCapacity, 1024));
    }

    /** The seed that replays this run. */
    public long seed() {
        return seed;
    }

    /** Virtual time in nanoseconds since the start. */
    public long now() {
        return now;
    }

    /** A random generator for one purpose, derived from the seed, the purpose and the salt. */
    public SplittableRandom random(String purpose, long... salt) {
        long[] parts = new long[salt.length + 2];
        parts[0] = seed;
        parts[1] = Seeds.of(purpose);
        System.arraycopy(salt, 0, parts, 2, salt.length);
        return new SplittableRandom(Seeds.mix(parts));
    }

    /**
     * Runs {@code action} as an event after {@code delayNanos} of virtual time. The event survives node
     * crashes: use it for client workloads and scripted faults.
     */
    public Cancellable schedule(long delayNanos, String nodeId, EventKind kind, String label, Runnable action) {
        SimEvent e = enqueue(now + Math.max(0, delayNanos), null, nodeId, kind, label, action);
        return () -> e.cancelled = true;
    }

    /** {@link #schedule(long, String, EventKind, String, Runnable)} with a {@link Duration}. */
    public Cancellable schedule(Duration delay, String nodeId, EventKind kind, String label, Runnable action) {
        return schedule(delay.toNanos(), nodeId, kind, label, action);
    }

    SimEvent enqueue(long time, Object owner, String nodeId, EventKind kind, String label, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (time < now) {
            throw new IllegalArgumentException("cannot schedule in the past: " + time + " < " + now);
        }
        SimEvent e = new SimEvent(time, nextSeq++, owner, nodeId, kind, label == null ? "" : label, action);
        queue.add(e);
        return e;
    }

    /** Drops every pending event of {@code owner}: what a crash does to work not yet done. */
    int discard(Object owner) {
        int before = queue.size();
        queue.removeIf(e -> e.owner == owner);
        return before - queue.size();
    }

    /** Number of events waiting, cancelled timers included until they reach the head. */
    public int pendingEvents() {
        return queue.size();
    }

    /** The step number of the event running now, or 0 outside a step. */
    public long currentStep() {
        return current == null ? 0 : currentStep;
    }

    /** Number of trace rows recorded so far (steps plus recorded actions). */
    public long stepCount() {
        return steps;
    }

    /**
     * Runs the next event, if any.
     *
     * @return false if the queue was empty
     * @throws InvariantViolation if the event's task threw, or a step listener found a violation
     */
    public boolean step() {
        SimEvent e = nextLive();
        if (e == null) {
            return false;
        }
        queue.poll();
        if (e.time == instant) {
            if (++eventsAtInstant > MAX_EVENTS_PER_INSTANT) {
                throw InvariantViolation.of(this, "PROGRESS", "more than " + MAX_EVENTS_PER_INSTANT
                        + " events at virtual time " + TraceRow.formatMillis(e.time) + " ms: a task loop?");
            }
        } else {
            instant = e.time;
            eventsAtInstant = 1;
        }
        now = e.time;
        current = e;
        currentStep = ++steps;
        currentNotes = new ArrayList<>(2);
        Throwable failure = null;
        try {
            e.action.run();
        } catch (RuntimeException | Error t) {
            failure = t;
        } finally {
            current = null;
        }
        List<String> notes = currentNotes;
        currentNotes = null;
        if (failure != null && !(failure instanceof InvariantViolation)) {
            notes.add("THREW " + failure);
        }
        TraceRow row = new TraceRow(currentStep, now, e.nodeId, e.kind, e.label, notes, nodeStates.get());
        addRow(row);
        if (failure instanceof InvariantViolation v) {
            throw v;
        }
        if (failure != null) {
            throw InvariantViolation.of(this, "NO-EXCEPTION", "step " + row.step() + " (" + e.kind.shortName()
                    + " " + e.label + ") threw " + failure, failure);
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).afterStep(row);
        }
        return true;
    }

    /** Runs every event due within {@code duration}, then sets the clock to its end. */
    public void runFor(Duration duration) {
        runTo(Math.addExact(now, duration.toNanos()), null);
    }

    /**
     * Runs events until {@code condition} holds (checked before the first and after every step) or
     * {@code maxVirtualTime} has passed.
     *
     * @return whether the condition holds
     */
    public boolean runUntil(BooleanSupplier condition, Duration maxVirtualTime) {
        Objects.requireNonNull(condition, "condition");
        return runTo(Math.addExact(now, maxVirtualTime.toNanos()), condition);
    }

    private boolean runTo(long end, BooleanSupplier condition) {
        if (condition != null && condition.getAsBoolean()) {
            return true;
        }
        while (true) {
            SimEvent next = nextLive();
            if (next == null || next.time > end) {
                break;
            }
            step();
            if (condition != null && condition.getAsBoolean()) {
                return true;
            }
        }
        now = Math.max(now, end);
        return condition != null && condition.getAsBoolean();
    }

    private SimEvent nextLive() {
        SimEvent e = queue.peek();
        while (e != null && e.cancelled) {
            queue.poll();
            e = queue.peek();
        }
        return e;
    }

    /** Adds a check run after every step. */
    public void addStepListener(StepListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Where trace rows get every node's state; by default rows show no node. */
    public void setNodeStateSource(Supplier<List<NodeState>> source) {
        this.nodeStates = Objects.requireNonNull(source, "source");
    }

    /**
     * Notes something that happened: attached to the current step's row, or recorded as a row of its
     * own when no step is running.
     */
    public void note(String text) {
        record(null, EventKind.NOTE, text);
    }

    /**
     * Records an action of the test (a crash, a partition, a client call). Inside a step it becomes a
     * note of that step, since the step caused it; outside it gets a trace row of its own. Step
     * listeners do not run for such rows: they run after the next step.
     */
    public void record(String nodeId, EventKind kind, String label) {
        if (currentNotes != null) {
            currentNotes.add(nodeId == null ? label : nodeId + ": " + label);
            return;
        }
        addRow(new TraceRow(++steps, now, nodeId, kind, label, List.of(), nodeStates.get()));
    }

    private void addRow(TraceRow row) {
        if (trace.size() == traceCapacity) {
            trace.pollFirst();
        }
        trace.addLast(row);
    }

    /** The retained trace, oldest first. */
    public List<TraceRow> trace() {
        return List.copyOf(trace);
    }

    /** The last {@code n} rows of the trace (fewer if fewer are retained), oldest first. */
    public List<TraceRow> traceTail(int n) {
        List<TraceRow> all = trace();
        return all.subList(Math.max(0, all.size() - n), all.size());
    }
}
