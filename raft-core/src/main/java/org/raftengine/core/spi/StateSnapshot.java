package org.raftengine.core.spi;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A point-in-time view of a state machine's state, taken by {@link StateMachine#snapshot()} between two
 * applies, and written out later, on another thread, while applies go on.
 */
@FunctionalInterface
public interface StateSnapshot {

    /**
     * Writes the state, as it was when this view was taken, to {@code out}. Runs on the node's snapshot
     * executor, concurrently with later applies: it must read only what those applies leave alone (a
     * copy, an immutable structure, a read transaction opened when the view was taken).
     */
    void writeTo(OutputStream out) throws IOException;

    /**
     * Called instead of {@link #writeTo} when the node drops this view unwritten (a newer snapshot was installed
     * meanwhile, or the log could not begin storing it): release what the view holds (a temporary file, a read
     * transaction). After {@link #writeTo} the view is not called again; release in its {@code finally} then.
     * Does nothing by default.
     */
    default void discard() {
    }
}
