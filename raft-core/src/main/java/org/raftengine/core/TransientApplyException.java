package org.raftengine.core;

/**
 * Thrown by a state machine that could not apply a command for a reason that passes (database down,
 * deadlock, time-out). Nothing was applied; the node retries the same entry with back-off.
 */
public class TransientApplyException extends RuntimeException {
    public TransientApplyException(String message, Throwable cause) {
        super(message, cause);
    }

    public TransientApplyException(String message) {
        super(message);
    }
}
