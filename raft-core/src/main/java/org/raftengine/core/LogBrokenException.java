package org.raftengine.core;

/** Thrown by {@link RaftNode#start()} when the node's log was marked broken and must be repaired first. */
public class LogBrokenException extends IllegalStateException {
    public LogBrokenException(String message) {
        super(message);
    }
}
