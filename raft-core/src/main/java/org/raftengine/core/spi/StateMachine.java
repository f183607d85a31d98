package org.raftengine.core.spi;

import java.io.IOException;
import java.io.InputStream;
import org.raftengine.core.RejectedCommandException;
import org.raftengine.core.TransientApplyException;

/**
 * The application's replicated state: the apply seam.
 *
 * <h2>Threading and order</h2>
 * Every call comes from the node's apply executor, one at a time, in log order. An entry is passed
 * only once it is committed and durable in the local log.
 *
 * <h2>Exactly once</h2>
 * The state machine owns its applied index. {@link #apply} changes the state and records {@code index}
 * as applied in one atomic step; {@link #recordApplied} records the index of an entry that carries no
 * command for it (a leader's term-start entry, a configuration entry, a duplicate of a session command),
 * and {@link #recordRejected} the index of a command it rejected. After a restart the node resumes from
 * {@link #lastApplied()} + 1, so a crash between the change and its record can never apply a command twice,
 * as long as the two are one step.
 *
 * <p>Client sessions ({@link org.raftengine.core.ClientSession}) answer a duplicate of a command with its
 * original outcome, from a table the node keeps in memory and in every snapshot. A state machine that keeps
 * its own state (a database) resumes after a restart past its latest snapshot, and the node then rebuilds
 * that table from the log's entries between the snapshot and {@link #lastApplied()}: it learns from them
 * which sequences were applied, never twice, but not what they returned. So by default a duplicate of such
 * a command is refused ({@link org.raftengine.core.CommandResult.Refused}, naming the index it was applied
 * at, exactly once). A state machine that {@link #keepsOutcomes() keeps outcomes} stores, per index, what
 * {@link #apply} returned, or the reason {@link #recordRejected} was given, in the same atomic step as the
 * change and the applied index; at start the node asks it ({@link #outcomeAt}) and the duplicate gets its
 * original answer ({@link org.raftengine.core.CommandResult.Ok} or
 * {@link org.raftengine.core.CommandResult.ApplicationError}), as without the restart. Outcomes at or
 * before the latest snapshot are never asked for, so the state machine may drop them once the log is
 * compacted past them.
 *
 * <h2>Failures</h2>
 * <ul>
 *   <li>{@link RejectedCommandException}: the command is refused by the application, deterministically
 *   on every replica. Its effects must be undone; the client gets an application error with the
 *   exception's message, and the node calls {@link #recordRejected} with that message and goes on.</li>
 *   <li>{@link TransientApplyException}: the state could not be reached (database down, deadlock, time
 *   out). Nothing was applied; the node retries the same entry with back-off, never skipping it.</li>
 *   <li>Any other exception is taken for a bug or non-determinism: after a few retries the node marks
 *   its log broken and stops rather than diverge from its peers.</li>
 * </ul>
 * Apply must be deterministic and have no effect outside the state: it runs on every replica, and runs
 * again on replay after a crash before its record.
 *
 * <h2>Batches</h2>
 * A state machine whose state is in a database would pay one durable commit per entry if every
 * {@link #apply} were its own transaction. One that {@link #appliesInBatches()} makes a batch of entries (up
 * to a thousand or so, as many as are committed) one transaction instead: the node calls
 * {@link #beginBatch}, then {@link #apply}, {@link #recordApplied} and {@link #recordRejected} for each entry
 * in order, as above, then {@link #commitBatch}, which makes the whole step durable atomically: the changes,
 * the applied index and the kept outcomes, all or nothing. "One atomic step" above then means: part of the
 * step. A step is never left open: after a failure inside it, the node calls {@link #abortBatch}, which undoes
 * everything since {@link #beginBatch}; calls inside a step may see the step's own earlier changes
 * ({@link #lastApplied()} included), as a transaction sees its own writes.
 * <ul>
 *   <li>No entry is answered, nor counted as applied by the node, before the {@link #commitBatch} of its
 *   step returned.</li>
 *   <li>If an entry of a batch fails (a {@link RejectedCommandException}, a {@link TransientApplyException},
 *   anything else) or {@link #commitBatch} throws, the node aborts the step and applies the same entries
 *   again one per step, each between its own {@link #beginBatch} and {@link #commitBatch}: the entries before
 *   the failing one are then made durable, a rejected entry's effects go with its aborted step and its
 *   rejection is recorded by {@link #recordRejected} in a step of its own, and any other failure is handled
 *   as under "Failures" (retried, or the log marked broken), the step aborted each time.</li>
 *   <li>{@link #commitBatch} that throws must leave nothing of the step durable; the node then calls
 *   {@link #abortBatch} all the same, which has nothing left to undo (it must not fail for that).</li>
 *   <li>{@link #snapshot()}, {@link #restore} and {@link #outcomeAt} are never called inside a step.</li>
 * </ul>
 * A crash inside a step loses the step, as a database loses a transaction it did not commit: the node
 * resumes from {@link #lastApplied()} + 1 as always.
 *
 * <h2>Snapshots</h2>
 * A state machine that {@link #supportsSnapshots()} lets the node compact its log. {@link #snapshot()}
 * runs on the apply executor between two applies and returns a point-in-time view of the state (as of
 * {@link #lastApplied()}); the node writes that view out on its snapshot executor while applies go on,
 * so the view must not read state that later applies change. {@link #restore} runs on the apply executor
 * too, never concurrently with an apply: it replaces the whole state with a snapshot's and records the
 * snapshot's index as applied, in one atomic step (an apply in flight when the snapshot arrived has
 * finished before it begins, and no apply of an index the snapshot covers comes after it). A state machine
 * without snapshot support still works: the node then keeps its whole log, and says so at start.
 */
public interface StateMachine {

    /** The index of the last entry applied or recorded, 0 if none. */
    long lastApplied();

    /**
     * Applies a committed command and records {@code index} as applied, in one atomic step.
     *
     * @return the result handed to the client that submitted the command (may be empty, not null)
     */
    byte[] apply(long index, byte[] command);

    /** Records {@code index} as applied for an entry that changes no state. */
    void recordApplied(long index);

    /**
     * True if no call of this state machine ever waits: no disk, database or network I/O, no lock another
     * thread holds for long. The node then applies on its protocol thread (see {@code RaftNode}'s constructor),
     * saving a thread hand-off per batch; an apply that did wait there would hold up heartbeats and elections.
     * {@code false} unless the state machine says otherwise. {@link #snapshot} and {@link #restore} run on a
     * thread of their own either way.
     */
    default boolean neverBlocks() {
        return false;
    }

    /**
     * True if this state machine keeps the outcome of each command atomically with its apply, and answers
     * {@link #outcomeAt} after a restart (see the class comment).
     */
    default boolean keepsOutcomes() {
        return false;
    }

    /**
     * Records {@code index} as applied for a command the state machine rejected (its {@link #apply} threw
     * {@link RejectedCommandException} with {@code reason} as its message), in one atomic step. A state
     * machine that {@link #keepsOutcomes()} keeps {@code reason} too, as the outcome at {@code index}.
     * By default: {@link #recordApplied}{@code (index)}.
     *
     * @param reason what the client is told; the exception's message ({@code "null"} if it had none)
     */
    default void recordRejected(long index, String reason) {
        recordApplied(index);
    }

    /**
     * The outcome kept for the command applied at {@code index}, or null if none is kept (not a command,
     * compacted away, or not kept). Called at start, on the calling thread before the node runs, for indexes
     * after the latest snapshot up to {@link #lastApplied()}, only if {@link #keepsOutcomes()}. An exception
     * fails the start (the node does not run with answers it could not read; see
     * {@link org.raftengine.core.RaftNode#start()}).
     */
    default AppliedOutcome outcomeAt(long index) {
        return null;
    }

    /**
     * True if this state machine applies a batch of entries in one atomic step: the node then brackets each
     * batch with {@link #beginBatch} and {@link #commitBatch} (or {@link #abortBatch}); see "Batches" in the
     * class comment. Asked once, when the node is created.
     */
    default boolean appliesInBatches() {
        return false;
    }

    /**
     * Starts an atomic step: the {@link #apply}, {@link #recordApplied} and {@link #recordRejected} calls until
     * {@link #commitBatch} are one transaction. Only if {@link #appliesInBatches()}.
     */
    default void beginBatch() {
    }

    /**
     * Makes the step durable, atomically: its changes, the applied index and the kept outcomes together. If it
     * throws, nothing of the step is durable and the state is as before {@link #beginBatch} (a
     * {@link TransientApplyException} if the database could not be reached: the node tries again). Only if
     * {@link #appliesInBatches()}.
     */
    default void commitBatch() {
    }

    /**
     * Undoes everything since {@link #beginBatch}: the state, the applied index and the kept outcomes. Called
     * after a failure inside the step, a {@link #commitBatch} that threw included (then there is nothing left to
     * undo). Only if {@link #appliesInBatches()}.
     */
    default void abortBatch() {
    }

    /** True if {@link #snapshot()} and {@link #restore} are implemented; without them the log is never compacted. */
    default boolean supportsSnapshots() {
        return false;
    }

    /**
     * A view of the state as of {@link #lastApplied()}, to be written out later while applies go on (see
     * the class comment). Called on the apply executor.
     */
    default StateSnapshot snapshot() {
        throw new UnsupportedOperationException(getClass().getName() + " does not take snapshots");
    }

    /**
     * Replaces the whole state with the one {@code data} holds (as written by a {@link StateSnapshot}) and
     * records {@code index} as applied, in one atomic step. If it throws, the state must be as before.
     * Called on the apply executor.
     *
     * @param index the last index the snapshot covers
     * @param data  the snapshot's bytes; checked against their checksum as they are read
     */
    default void restore(long index, InputStream data) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " does not restore snapshots");
    }
}
