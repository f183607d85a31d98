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
 * command for it (a leader's term-start entry, a configuration entry, or a command it rejected). After
 * a restart the node resumes from {@link #lastApplied()} + 1, so a crash between the change and its
 * record can never apply a command twice, as long as the two are one step.
 *
 * <h2>Failures</h2>
 * <ul>
 *   <li>{@link RejectedCommandException}: the command is refused by the application, deterministically
 *   on every replica. Its effects must be undone; the client gets an application error, and the node
 *   calls {@link #recordApplied} and goes on.</li>
 *   <li>{@link TransientApplyException}: the state could not be reached (database down, deadlock, time
 *   out). Nothing was applied; the node retries the same entry with back-off, never skipping it.</li>
 *   <li>Any other exception is taken for a bug or non-determinism: after a few retries the node marks
 *   its log broken and stops rather than diverge from its peers.</li>
 * </ul>
 * Apply must be deterministic and have no effect outside the state: it runs on every replica, and runs
 * again on replay after a crash before its record.
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
