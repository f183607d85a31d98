package org.raftengine.testkit.lin;

import java.util.List;
import java.util.Optional;

/**
 * The sequential specification a history is checked against.
 *
 * <p>The checker splits the history into partitions ({@link #partition}) and checks each alone,
 * starting from {@link #initialState()}: that is only sound if operations of different partitions
 * never interact, which holds for independent keys. States must be immutable and implement
 * {@code equals} and {@code hashCode} by value, because the search remembers (linearized set, state)
 * configurations that failed, and a state compared by identity would defeat that memo.
 *
 * @param <S> the state of one partition
 */
public interface Model<S> {

    /** The state of every partition before any operation. */
    S initialState();

    /**
     * Applies {@code op} to {@code state}.
     *
     * <p>For an operation with a definite output, returns the next state if that output is what the
     * specification answers in {@code state}, else empty. For an indeterminate one
     * ({@link Operation#isIndeterminate()}), the output is not checked: return the state the
     * operation leads to had it taken effect (the checker itself handles "it never took effect").
     *
     * @throws IllegalArgumentException if the model does not understand the input or output kind
     */
    Optional<S> step(S state, Operation op);

    /**
     * The partition {@code op} belongs to; by default its key. Return a constant to check the whole
     * history as one object.
     */
    default String partition(Operation op) {
        return op.key();
    }

    /**
     * True if {@code op} never changes the state: whenever {@link #step} accepts it, it returns the
     * state it was given. Returning false is always safe; true lets the checker drop indeterminate
     * read-only operations (they can neither explain nor contradict anything) and place a completed
     * one as soon as the model accepts it instead of trying it in every position, which is what
     * keeps read-heavy histories cheap.
     */
    default boolean isReadOnly(Operation op) {
        return false;
    }

    /**
     * Optional pruning, for speed only. Called when {@code op}, a completed operation, cannot take
     * effect in {@code state}. Return true only if it can never take effect later either: not after
     * any sequence of operations from {@code others} (each used at most once, and answering what it
     * was recorded to answer if it completed). {@code others} are the operations not linearized yet
     * that were invoked before {@code op} responded. Returning false is always safe; it is the
     * default.
     *
     * <p>Why it matters: without it a wrong choice (say, two writes in the wrong order) is only
     * discovered when the search reaches the response of a read it contradicts, and everything
     * tried in between is wasted, which grows exponentially with the number of concurrent
     * operations. A read of a value that is gone for good lets the search give up at once.
     */
    default boolean isHopeless(S state, Operation op, List<Operation> others) {
        return false;
    }

    /** A short rendering of a state, for reports. */
    default String describe(S state) {
        return String.valueOf(state);
    }
}
