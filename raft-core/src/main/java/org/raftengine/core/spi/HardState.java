package org.raftengine.core.spi;

/**
 * The state a node must never forget: its current term and whom it voted for in that term.
 *
 * @param term     the current term, from 0
 * @param votedFor the candidate voted for in {@code term}, or {@code null}
 */
public record HardState(long term, String votedFor) {
    /** The hard state of a new, empty storage. */
    public static final HardState INITIAL = new HardState(0, null);

    public HardState {
        if (term < 0) {
            throw new IllegalArgumentException("term must not be negative: " + term);
        }
    }
}
