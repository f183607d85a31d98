package org.raftengine.core;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import org.raftengine.core.engine.RaftEngine;
import org.raftengine.core.wire.SessionCommand;

/**
 * A client session: commands submitted through it are applied to the state machine at most once, even
 * when they are submitted again after an {@link CommandResult.Indeterminate} outcome (a time-out, a leader
 * change, a lost message), on this node or another one, and a duplicate is answered with the original
 * outcome ({@link CommandResult.Ok} with the original index and result, or the original
 * {@link CommandResult.ApplicationError}).
 *
 * <pre>{@code
 * ClientSession session = node.openSession();
 * CommandResult r = session.submit(command).toCompletableFuture().get();
 * if (r instanceof CommandResult.Indeterminate) {
 *     long sequence = session.lastSequence();           // remember which one it was
 *     r = session.resubmit(sequence, command)...;        // here or, after failing over,
 *     r = otherNode.session(session.id()).resubmit(sequence, command)...;
 * }
 * }</pre>
 *
 * <p>Each {@link #submit} takes the session's next sequence number, from 1. The cluster keeps, per session
 * (in its replicated session table, in snapshots too), the outcome of each sequence the session may still
 * ask about: every command carries the lowest sequence the session still awaits, and outcomes below it are
 * dropped. A sequence counts as awaited from its submission until it gets an outcome other than
 * Indeterminate, or until {@link #abandon} says it will not be re-submitted. So a session with an
 * Indeterminate command it neither re-submits nor abandons keeps later outcomes in the table (at most 10,000
 * per session; beyond, the oldest are dropped).
 *
 * <p>Final answers: a session with no command in the log for the cluster's
 * {@link ClusterSettings#sessionTimeoutMillis()} (by the leaders' time carried in the log) is forgotten, and
 * its later commands are {@link CommandResult.Refused}; so is a re-submitted sequence whose outcome was
 * dropped. A re-submitted command whose original was applied before the node now leading restarted, with a
 * state machine that kept its own applied index, is applied once still, but its result is known only if the
 * state machine {@link org.raftengine.core.spi.StateMachine#keepsOutcomes() keeps outcomes}; if not, it is
 * {@link CommandResult.Refused} with a reason that says at which index it was applied (never Retry: it was
 * applied).
 *
 * <p>The cluster learns of a session from the first submission of one of its sequences (which opens it);
 * a re-submission never opens one, so a re-submitted command whose session expired meanwhile is never
 * applied twice: it is {@link CommandResult.Refused}. An expired session refuses every command for 16 session
 * time-outs, then it is forgotten (so a copy delayed in a queue for longer than that could open it afresh).
 * A session whose first command never reached the log answers a re-submission of it with Refused, too: open
 * a new session then.
 *
 * <p>Sequences are per session object: to resume a session on another node, give it the id
 * ({@link RaftNode#session(String)}) and {@link #resubmit} the sequences you still await, lowest first; new
 * commands continue from the highest sequence that object has seen.
 *
 * <p>Thread-safe. Futures complete on the node's callback executor.
 */
public final class ClientSession {
    private final RaftEngine engine;
    private final String id;
    private final AtomicLong lastSequence = new AtomicLong();
    /** Sequences submitted and not yet answered (or abandoned): the lowest is the mark sent. */
    private final ConcurrentSkipListSet<Long> awaiting = new ConcurrentSkipListSet<>();

    ClientSession(RaftEngine engine, String id) {
        this.engine = engine;
        this.id = Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a session id is never blank");
        }
    }

    /** The session's client id: give it to {@link RaftNode#session(String)} to resume it on another node. */
    public String id() {
        return id;
    }

    /** The highest sequence submitted (or re-submitted) through this object, 0 if none. */
    public long lastSequence() {
        return lastSequence.get();
    }

    /** Submits a command under the session's next sequence ({@link #lastSequence()} + 1). */
    public CompletionStage<CommandResult> submit(byte[] command) {
        Objects.requireNonNull(command, "command");
        return send(lastSequence.incrementAndGet(), command, true);
    }

    /**
     * Submits a command for the first time under {@code sequence}, for a client that numbers its commands
     * itself (each sequence once: submitting one again is {@link #resubmit}).
     *
     * @throws IllegalArgumentException if {@code sequence} is not positive
     */
    public CompletionStage<CommandResult> submit(long sequence, byte[] command) {
        Objects.requireNonNull(command, "command");
        checkSequence(sequence);
        lastSequence.accumulateAndGet(sequence, Math::max);
        return send(sequence, command, true);
    }

    /**
     * Submits {@code command} again under {@code sequence}, typically after an
     * {@link CommandResult.Indeterminate} outcome: if the cluster applied that sequence already, it is not
     * applied again and the answer is its original outcome. It must be the same command as first submitted
     * under that sequence.
     *
     * @throws IllegalArgumentException if {@code sequence} is not positive
     */
    public CompletionStage<CommandResult> resubmit(long sequence, byte[] command) {
        Objects.requireNonNull(command, "command");
        checkSequence(sequence);
        lastSequence.accumulateAndGet(sequence, Math::max);
        return send(sequence, command, false);
    }

    /**
     * Says this session will not re-submit {@code sequence} (say, after an Indeterminate outcome the client
     * gave up on), so the cluster may drop the outcomes kept for it. A later re-submit of it is refused.
     */
    public void abandon(long sequence) {
        awaiting.remove(sequence);
    }

    private static void checkSequence(long sequence) {
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence " + sequence + " is not positive");
        }
    }

    private CompletionStage<CommandResult> send(long sequence, byte[] command, boolean first) {
        awaiting.add(sequence);
        long lowest = Math.min(sequence, awaiting.first());
        CompletionStage<CommandResult> result = engine.submitSession(
                new SessionCommand(id, sequence, lowest, 0, first, command));
        return result.whenComplete((r, e) -> {
            if (r != null && !(r instanceof CommandResult.Indeterminate)) {
                awaiting.remove(sequence);
            }
        });
    }

    @Override
    public String toString() {
        return "ClientSession[" + id + ", last sequence " + lastSequence.get() + "]";
    }
}
