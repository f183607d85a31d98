package org.raftengine.core;

/**
 * The outcome of a linearizable {@link RaftNode#read read}.
 *
 * <ul>
 *   <li>{@link Ok}: the query ran against the state machine at or after the read index, so it saw every
 *   write acknowledged before the read was called.</li>
 *   <li>{@link Retry}: the query did not run (no leader, leadership lost or not yet established, timed out,
 *   node stopping). A read changes nothing, so it can always be tried again.</li>
 *   <li>{@link QueryFailed}: the query ran and threw; the state machine is unchanged.</li>
 * </ul>
 *
 * @param <T> what the query returns
 */
public sealed interface ReadResult<T> {

    /** True for {@link Ok}. */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /**
     * The query's answer.
     *
     * @param readIndex the read index: the state machine had applied at least this far when the query ran
     * @param value     what the query returned
     */
    record Ok<T>(long readIndex, T value) implements ReadResult<T> {
    }

    /** The query did not run; try again (on this node, or on the leader). */
    record Retry<T>(String reason) implements ReadResult<T> {
    }

    /** The query threw {@code error}. */
    record QueryFailed<T>(RuntimeException error) implements ReadResult<T> {
    }
}
