package org.raftengine.core;

import java.util.concurrent.CompletionStage;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.Transport;

/** STUB: public API shape only; the engine is being written. */
public final class RaftNode {
    public RaftNode(RaftNodeConfig config, RaftLog log, Transport transport, StateMachine stateMachine,
                    NodeRuntime runtime) {
        throw new UnsupportedOperationException("engine not written yet");
    }

    public String id() { throw new UnsupportedOperationException(); }

    public void start() { throw new UnsupportedOperationException(); }

    public void stop() { throw new UnsupportedOperationException(); }

    public CompletionStage<CommandResult> submit(byte[] command) { throw new UnsupportedOperationException(); }

    public NodeStatus status() { throw new UnsupportedOperationException(); }

    public void addListener(RaftListener listener) { throw new UnsupportedOperationException(); }
}
