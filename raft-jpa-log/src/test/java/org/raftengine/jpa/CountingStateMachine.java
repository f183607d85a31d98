package org.raftengine.jpa;

import java.nio.ByteBuffer;
import org.raftengine.core.spi.StateMachine;

/** A state machine in memory that counts the commands it applied and answers each with its index. */
final class CountingStateMachine implements StateMachine {
    private long applied;
    private long commands;

    @Override
    public synchronized long lastApplied() {
        return applied;
    }

    @Override
    public synchronized byte[] apply(long index, byte[] command) {
        applied = index;
        commands++;
        return ByteBuffer.allocate(Long.BYTES).putLong(index).array();
    }

    @Override
    public synchronized void recordApplied(long index) {
        applied = index;
    }

    synchronized long commands() {
        return commands;
    }
}
