package org.raftengine.cdi;

import org.raftengine.core.spi.StateMachine;

/**
 * The state machine of {@code raft.log=memory} (tests, demos): fires the {@code @Committed} events with no
 * transaction, and keeps the applied index in memory, like the log. Nothing survives the process.
 */
final class InMemoryEvents implements StateMachine {
    private final CommandEvents events;
    private volatile long lastApplied;

    InMemoryEvents(CommandEvents events) {
        this.events = events;
    }

    @Override
    public long lastApplied() {
        return lastApplied;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        byte[] result = events.fire(index, command).result();
        lastApplied = index;
        return result;
    }

    @Override
    public void recordApplied(long index) {
        lastApplied = index;
    }
}
