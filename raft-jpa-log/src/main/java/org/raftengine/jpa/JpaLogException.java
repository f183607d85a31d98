package org.raftengine.jpa;

/**
 * The database could not do what the raft log or the apply side asked of it: unreachable, refused the
 * write, or holds tables that do not match this library. The message names the node and the operation.
 * Nothing the failed call wrote is visible (its transaction was rolled back), so the node retries it.
 */
public class JpaLogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JpaLogException(String message) {
        super(message);
    }

    public JpaLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
