package org.raftengine.core.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.ReadResult;
import org.raftengine.core.Role;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.message.ReadIndexRequest;
import org.raftengine.core.message.ReadIndexResponse;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.StateMachine;

/**
 * Linearizable reads by ReadIndex (Raft thesis, section 6.4), and on a lease when the cluster's settings allow
 * it ({@link #leaseHolds}). A read goes through three stages:
 * <ol>
 *   <li><b>A read index.</b> On the leader: once it has committed an entry of its own term (before that its
 *   commit index may lag what earlier leaders committed: RELIABILITY 23), the reads that arrived since the
 *   last round began wait for a new confirmation round ({@link LeaderReplication#startRound}); their read
 *   index is the commit index when that round began. A follower asks the leader with a
 *   {@link ReadIndexRequest} (one per batch of reads, re-sent under a new id if unanswered) and takes the
 *   index of the answer that names one of its request ids.</li>
 *   <li><b>Confirmation.</b> The leader serves a batch only once a majority has confirmed a round at least as
 *   new as the batch's ({@link LeaderReplication#confirmedRound}): rounds only grow, so a late or duplicated
 *   answer of an older round confirms nothing newer (RELIABILITY 24). Reads that arrive while a round is in
 *   flight wait for it to end (or for the next heartbeat) and then share one round.</li>
 *   <li><b>The query.</b> Once this node has applied up to the read index, the queries run on the apply
 *   executor, between two batches of applies, so they see the state machine at or after the read index and
 *   never in the middle of a step.</li>
 * </ol>
 * A read that is not served within the node's command time-out is answered {@link ReadResult.Retry}, as is
 * every read waiting for a confirmation when this node loses its leadership: a read changes nothing, so it
 * is always safe to try again.
 */
final class LinearizableReads {
    private static final long MILLIS = 1_000_000L;

    private final NodeState state;
    private final RaftNodeConfig nodeConfig;
    private final NodeRuntime runtime;
    private final EventLoop events;
    private final LogView logView;
    private final LeaderReplication leader;
    private final Outbox outbox;
    private final Completions completions;
    private final StateMachine stateMachine;
    private final LeadershipTransfer transfer;
    /** Deliberately broken rules, for tests of the checkers only (RuleBreach). */
    private final boolean breakTermCommitRule;
    private final boolean breakLeaseRule;
    /** When the last confirming answer arrived (for the broken lease rule only). */
    private long lastConfirmedNanos = Long.MIN_VALUE / 4;
    private long lastConfirmedRound;

    /** Submitted from any thread; taken in one protocol event, which batches them. */
    private final Submissions<PendingRead<?>> submitted;
    /** Answers a read submitted as the node stopped (one object, not one per read). */
    private final Consumer<PendingRead<?>> refuseStopped = r -> refuseNow(r, notRunning());
    /** Every local read not yet answered, in submission (so deadline) order; answered ones leave from the head. */
    private final ArrayDeque<PendingRead<?>> byDeadline = new ArrayDeque<>();

    // ---- leader
    /** Reads (local, or for a follower) not yet given a round, and the round in progress when the last arrived. */
    private final List<Waiter> unassigned = new ArrayList<>();
    private long unassignedArrivedInRound;
    private long unassignedTerm;
    /** Batches waiting for their round to be confirmed, oldest round first. */
    private final ArrayDeque<RoundBatch> awaitingRound = new ArrayDeque<>();

    // ---- follower
    /** Batches asked of the leader, by each request id they were sent under. */
    private final HashMap<Long, AskBatch> asked = new HashMap<>();
    private final ArrayDeque<AskBatch> askOrder = new ArrayDeque<>();

    // ---- any role
    /** Reads with a read index, waiting until this node has applied that far; lowest index first. */
    private final PriorityQueue<PendingRead<?>> awaitingApply =
            new PriorityQueue<>((a, b) -> Long.compare(a.readIndex, b.readIndex));
    /** Reads handed to the apply executor whose answer may not have come yet: a halt answers them. */
    private final ArrayDeque<PendingRead<?>> inApply = new ArrayDeque<>();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong leaseReads = new AtomicLong();

    LinearizableReads(NodeState state, RaftNodeConfig nodeConfig, NodeRuntime runtime, EventLoop events,
                      LogView logView, LeaderReplication leader, Outbox outbox, Completions completions,
                      StateMachine stateMachine, LeadershipTransfer transfer, boolean breakTermCommitRule,
                      boolean breakLeaseRule) {
        this.state = state;
        this.nodeConfig = nodeConfig;
        this.runtime = runtime;
        this.events = events;
        this.logView = logView;
        this.leader = leader;
        this.outbox = outbox;
        this.completions = completions;
        this.stateMachine = stateMachine;
        this.transfer = transfer;
        this.breakTermCommitRule = breakTermCommitRule;
        this.breakLeaseRule = breakLeaseRule;
        this.submitted = new Submissions<>(events, this::drainSubmitted);
    }

    /** Who waits for a read index: a local read, or a follower's request. */
    private interface Waiter {
    }

    /** A follower's request, answered with the read index once confirmed. */
    private record RemoteRead(String follower, long requestId) implements Waiter {
    }

    /** A read of this node's client: its query, its future, and where it stands. */
    private static final class PendingRead<T> implements Waiter {
        final Function<? super StateMachine, ? extends T> query;
        final CompletableFuture<ReadResult<T>> future = new CompletableFuture<>();
        /** Set when the read is taken in by a protocol event. */
        long deadlineNanos;
        long readIndex;
        /** Answered, or handed to the apply executor: nothing else may answer it. */
        boolean done;

        PendingRead(Function<? super StateMachine, ? extends T> query) {
            this.query = query;
        }

        /** On the apply executor. */
        ReadResult<T> run(StateMachine machine) {
            try {
                return new ReadResult.Ok<>(readIndex, query.apply(machine));
            } catch (RuntimeException e) {
                return new ReadResult.QueryFailed<>(e);
            }
        }

        ReadResult<T> retry(String reason) {
            return new ReadResult.Retry<>(reason);
        }

        /** Completes the future now, on the calling thread: only where no protocol event will flush. */
        void retryNow(String reason) {
            future.complete(retry(reason));
        }
    }

    /** Reads given one round: served at {@code readIndex} once a majority confirmed {@code round}. */
    private record RoundBatch(long term, long round, long readIndex, List<Waiter> waiters, long startedNanos) {
    }

    /** Reads a follower asked the leader about, under one or more request ids. */
    private static final class AskBatch {
        final List<PendingRead<?>> reads;
        final List<Long> requestIds = new ArrayList<>();
        long resendAtNanos;
        long resendPeriodNanos;
        boolean answered;

        AskBatch(List<PendingRead<?>> reads) {
            this.reads = reads;
        }
    }

    /** Reads (local or a follower's) that took their read index on this leader's lease; from any thread. */
    long leaseReads() {
        return leaseReads.get();
    }

    /** Linearizable reads served so far (queries run); read from any thread. */
    long served() {
        return served.get();
    }

    // ---- submit

    /** Thread-safe; answered even if the node halts meanwhile ({@link Submissions}). */
    <T> CompletionStage<ReadResult<T>> read(Function<? super StateMachine, ? extends T> query) {
        Objects.requireNonNull(query, "query");
        PendingRead<T> r = new PendingRead<>(query);
        if (!events.isRunning()) {
            r.retryNow(notRunning());
            return r.future;
        }
        submitted.add(r, refuseStopped);
        return r.future;
    }

    private String notRunning() {
        return "node " + state.id + " is not running";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void answer(PendingRead<?> r, ReadResult<?> result) {
        if (!r.done) {
            r.done = true;
            completions.complete((CompletableFuture) r.future, result);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void retryLater(PendingRead<?> r, String reason) {
        completions.complete((CompletableFuture) r.future, r.retry(reason));
    }

    /** Answers {@code r} Retry at once, on this thread: only where no protocol event will flush. */
    private static void refuseNow(PendingRead<?> r, String reason) {
        r.done = true;
        r.retryNow(reason);
    }

    private void drainSubmitted() {
        submitted.beginDrain();
        List<PendingRead<?>> toAsk = null;
        // One clock read per drain: the reads of one drain arrived together.
        long deadline = runtime.nanoTime() + nodeConfig.commandTimeout().toNanos();
        PendingRead<?> r;
        while ((r = submitted.poll()) != null) {
            r.deadlineNanos = deadline;
            byDeadline.add(r);
            if (state.role() == Role.LEADER) {
                addUnassigned(r);
            } else if (state.role() == Role.FOLLOWER && state.leaderId() != null) {
                if (toAsk == null) {
                    toAsk = new ArrayList<>();
                }
                toAsk.add(r);
            } else {
                answer(r, r.retry("no leader known to node " + state.id));
            }
        }
        if (toAsk != null) {
            AskBatch batch = new AskBatch(toAsk);
            batch.resendPeriodNanos = 2 * logView.settings().heartbeatMillis() * MILLIS;
            askOrder.add(batch);
            ask(batch);
        }
    }

    // ---- leader: rounds

    private void addUnassigned(Waiter w) {
        if (unassigned.isEmpty()) {
            unassignedTerm = state.term();
        }
        unassigned.add(w);
        unassignedArrivedInRound = leader.currentRound();
    }

    /** A follower asks for a read index: it waits for a round like a local read, or is refused at once. */
    void onReadIndexRequest(ReadIndexRequest q) {
        if (state.role() != Role.LEADER) {
            outbox.send(new ReadIndexResponse(state.id, q.from(), state.storageId(), state.term(), q.requestId(),
                    false, 0));
            return;
        }
        addUnassigned(new RemoteRead(q.from(), q.requestId()));
    }

    /** May this leader give reads a read index yet: has it committed an entry of its own term? */
    private boolean mayServe() {
        return breakTermCommitRule ? state.role() == Role.LEADER : leader.committedInTerm();
    }

    /** After every event: rounds begun and confirmed, reads handed on, queries run. */
    void afterEvent() {
        // Answered reads leave now rather than at the next tick: at a million reads a second, a tick's worth of
        // answered reads and their results is a lot of memory to keep alive.
        while (!byDeadline.isEmpty() && byDeadline.peek().done) {
            byDeadline.poll();
        }
        while (!inApply.isEmpty() && inApply.peek().future.isDone()) {
            inApply.poll();
        }
        if (!unassigned.isEmpty() || !awaitingRound.isEmpty()) {
            leaderStep();
        }
        if (!awaitingApply.isEmpty()) {
            runQueriesUpTo(logView.appliedIndex());
        }
    }

    private void leaderStep() {
        if (state.role() != Role.LEADER) {
            failLeaderReads("node " + state.id + " lost its leadership before the read was confirmed");
            return;
        }
        if (!unassigned.isEmpty() && unassignedTerm != state.term()) {
            failLeaderReads("the leadership changed before the read was confirmed");
            return;
        }
        if (!unassigned.isEmpty() && mayServe() && leaseHolds()) {
            // A lease: no leader can have been elected since the confirmed round began, so the commit index
            // now is as good as one confirmed by a new round.
            leaseReads.addAndGet(unassigned.size());
            release(List.copyOf(unassigned), logView.commitIndex());
            unassigned.clear();
        }
        if (!unassigned.isEmpty() && mayServe()) {
            long round;
            if (leader.currentRound() > unassignedArrivedInRound) {
                round = leader.currentRound(); // began (a heartbeat) after every one of them arrived
            } else if (leader.confirmedRound() >= leader.currentRound() || runtime.nanoTime()
                    - leader.roundStartedNanos() >= logView.settings().heartbeatMillis() * MILLIS) {
                round = leader.startRound(); // none in flight, or it looks lost: a round of their own
            } else {
                round = 0; // the round in flight ends first; they share the next one
            }
            if (round > 0) {
                awaitingRound.add(new RoundBatch(state.term(), round, logView.commitIndex(),
                        List.copyOf(unassigned), runtime.nanoTime()));
                unassigned.clear();
            }
        }
        long confirmed = leader.confirmedRound();
        while (!awaitingRound.isEmpty() && awaitingRound.peek().round() <= confirmed) {
            RoundBatch b = awaitingRound.poll();
            if (b.term() != state.term()) {
                fail(b.waiters(), "the leadership changed before the read was confirmed");
                continue;
            }
            release(b.waiters(), b.readIndex());
        }
    }

    /** The read index of {@code waiters} is known: local reads wait for the apply, followers are answered. */
    private void release(List<Waiter> waiters, long readIndex) {
        for (Waiter w : waiters) {
            if (w instanceof PendingRead<?> r) {
                readIndexKnown(r, readIndex);
            } else {
                RemoteRead rr = (RemoteRead) w;
                outbox.send(new ReadIndexResponse(state.id, rr.follower(), state.storageId(), state.term(),
                        rr.requestId(), true, readIndex));
            }
        }
    }

    /**
     * Lease reads (opt-in, only with CheckQuorum, whose leader stickiness is the promise they rest on): a
     * majority confirmed a round begun less than half the minimum election timeout ago, on this node's
     * monotonic clock, and this node sent no TimeoutNow in its term. Each voter of that majority heard from
     * this leader after the round began, and votes for no one else for the minimum election timeout after
     * that, by its own clock (or after starting, if it restarts); the half is the margin for the clocks'
     * drift.
     */
    private boolean leaseHolds() {
        if (!logView.settings().leaseReads() || !logView.settings().checkQuorum()
                || transfer.timeoutNowSentThisTerm()) {
            return false;
        }
        long now = runtime.nanoTime();
        long minTimeout = logView.settings().electionTimeoutMinMillis() * MILLIS;
        if (breakLeaseRule) {
            long confirmed = leader.confirmedRound();
            if (confirmed > lastConfirmedRound) {
                lastConfirmedRound = confirmed;
                lastConfirmedNanos = now; // from the answer, not the round's start: wrong
            }
            return now - lastConfirmedNanos < minTimeout;
        }
        Long since = leader.confirmedRoundStartedNanos();
        return since != null && now - since < minTimeout / 2;
    }

    private void failLeaderReads(String reason) {
        fail(unassigned, reason);
        unassigned.clear();
        while (!awaitingRound.isEmpty()) {
            fail(awaitingRound.poll().waiters(), reason);
        }
    }

    private void fail(List<Waiter> waiters, String reason) {
        for (Waiter w : waiters) {
            if (w instanceof PendingRead<?> r) {
                answer(r, r.retry(reason));
            } else {
                RemoteRead rr = (RemoteRead) w;
                outbox.send(new ReadIndexResponse(state.id, rr.follower(), state.storageId(), state.term(),
                        rr.requestId(), false, 0));
            }
        }
    }

    // ---- follower: asking the leader

    private void ask(AskBatch b) {
        long requestId;
        do {
            requestId = runtime.random().nextLong();
        } while (requestId == 0 || asked.containsKey(requestId));
        asked.put(requestId, b);
        b.requestIds.add(requestId);
        b.resendAtNanos = runtime.nanoTime() + b.resendPeriodNanos;
        outbox.send(new ReadIndexRequest(state.id, state.leaderId(), state.storageId(), state.term(), requestId));
    }

    /**
     * The leader's answer to one of this node's requests. Whichever request id it names, it was computed after
     * that request arrived, so after every read of the batch was called: it serves them all.
     */
    void onReadIndexResponse(ReadIndexResponse a) {
        AskBatch b = asked.get(a.requestId());
        if (b == null || b.answered) {
            return; // a late or duplicated answer of a batch already served: it tells nothing new
        }
        if (!a.granted()) {
            b.resendAtNanos = runtime.nanoTime(); // asked the wrong node: ask the leader known at the next tick
            return;
        }
        b.answered = true;
        forget(b);
        for (PendingRead<?> r : b.reads) {
            readIndexKnown(r, a.readIndex());
        }
    }

    // ---- any role: waiting for the apply, running the queries

    private void readIndexKnown(PendingRead<?> r, long readIndex) {
        if (r.done) {
            return;
        }
        r.readIndex = readIndex;
        awaitingApply.add(r);
    }

    /** Hands every read whose index is applied to the apply executor, in one task. */
    private void runQueriesUpTo(long applied) {
        List<PendingRead<?>> ready = null;
        while (!awaitingApply.isEmpty() && awaitingApply.peek().readIndex <= applied) {
            PendingRead<?> r = awaitingApply.poll();
            if (r.done) {
                continue;
            }
            r.done = true; // from here on only the query's outcome answers it
            if (ready == null) {
                ready = new ArrayList<>();
            }
            ready.add(r);
        }
        if (ready == null) {
            return;
        }
        List<PendingRead<?>> batch = ready;
        inApply.addAll(batch);
        try {
            // The apply executor runs one task at a time: the queries run between two batches of applies, on a
            // state at or after the applied index seen here.
            runtime.applyExecutor().execute(() -> runQueries(batch));
        } catch (RejectedExecutionException stopped) {
            for (PendingRead<?> r : batch) {
                r.retryNow(notRunning());
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runQueries(List<PendingRead<?>> batch) {
        ReadResult<?>[] results = new ReadResult<?>[batch.size()];
        for (int i = 0; i < results.length; i++) {
            results[i] = batch.get(i).run(stateMachine);
        }
        served.addAndGet(batch.size());
        Runnable complete = () -> {
            for (int i = 0; i < results.length; i++) {
                ((CompletableFuture) batch.get(i).future).complete(results[i]);
            }
        };
        try {
            runtime.callbackExecutor().execute(complete); // user callbacks never run on the apply executor
        } catch (RejectedExecutionException stopped) {
            complete.run();
        }
    }

    // ---- time-outs and stop

    /** Every tick: expired reads are answered Retry; a follower asks again what was not answered in time. */
    void onTick(long now) {
        while (!byDeadline.isEmpty() && (byDeadline.peek().done || byDeadline.peek().deadlineNanos - now <= 0)) {
            PendingRead<?> r = byDeadline.poll();
            answer(r, r.retry("no read index confirmed within the command time-out"));
        }
        // A leader that cannot reach a majority (CheckQuorum off) keeps no reads forever: a follower whose
        // request is dropped here asks again, and local reads were answered above.
        unassigned.removeIf(w -> w instanceof PendingRead<?> r && r.done);
        inApply.removeIf(r -> r.future.isDone());
        long timeout = nodeConfig.commandTimeout().toNanos();
        while (!awaitingRound.isEmpty() && now - awaitingRound.peek().startedNanos() >= timeout) {
            awaitingRound.poll();
        }
        for (Iterator<AskBatch> it = askOrder.iterator(); it.hasNext(); ) {
            AskBatch b = it.next();
            if (b.answered || allDone(b)) {
                it.remove();
                forget(b);
                continue;
            }
            if (b.resendAtNanos - now > 0) {
                continue;
            }
            if (state.role() == Role.LEADER) {
                // This node leads now: its own rounds serve them.
                it.remove();
                b.answered = true;
                forget(b);
                for (PendingRead<?> r : b.reads) {
                    if (!r.done) {
                        addUnassigned(r);
                    }
                }
            } else if (state.role() == Role.FOLLOWER && state.leaderId() != null) {
                b.resendPeriodNanos = Math.min(2 * b.resendPeriodNanos,
                        logView.settings().electionTimeoutMinMillis() * MILLIS);
                ask(b);
            }
        }
    }

    /** The request ids of {@code b} no longer name it: a late answer to any of them finds nothing. */
    private void forget(AskBatch b) {
        for (Long id : b.requestIds) {
            asked.remove(id);
        }
    }

    private static boolean allDone(AskBatch b) {
        for (PendingRead<?> r : b.reads) {
            if (!r.done) {
                return false;
            }
        }
        return true;
    }

    /**
     * The node halts: every read is answered Retry, those handed to the apply executor too (the executor may
     * drop its queue; if their query ran, its answer may win the race, which is as good).
     */
    void stop(String reason) {
        for (PendingRead<?> r : byDeadline) {
            answer(r, r.retry(reason));
        }
        for (PendingRead<?> r : inApply) {
            retryLater(r, reason);
        }
        inApply.clear();
        byDeadline.clear();
        unassigned.clear();
        awaitingRound.clear();
        asked.clear();
        askOrder.clear();
        awaitingApply.clear();
        submitted.drainTo(r -> refuseNow(r, reason));
    }
}
