package org.raftengine.core;

/**
 * Thrown by a state machine that refuses a command. The refusal must be deterministic (every replica
 * refuses it): the client gets {@link CommandResult.ApplicationError} with this message, and the
 * applied index moves past the command.
 */
public class RejectedCommandException extends RuntimeException {
    public RejectedCommandException(String message) {
        super(message);
    }
}
