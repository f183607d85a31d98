package org.raftengine.core.engine;

/**
 * An {@link Error} thrown by the application's log or state machine (an assertion, a stack overflow, a
 * class that failed to load), carried as a failure like any exception of theirs. Left to escape, it would
 * end the executor's task without an answer, and the pipeline waiting for that answer would wait forever.
 */
final class UserCodeFailure extends RuntimeException {
    private UserCodeFailure(Error cause) {
        super(cause.toString(), cause);
    }

    /** {@code t} itself if it is a runtime exception, else wrapped. */
    static RuntimeException of(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            return new UserCodeFailure(e);
        }
        return new IllegalStateException(t);
    }
}
