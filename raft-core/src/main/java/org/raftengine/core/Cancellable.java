package org.raftengine.core;

/** A scheduled task that can be cancelled. */
@FunctionalInterface
public interface Cancellable {
    /** Cancels the task if it has not run; harmless otherwise. */
    void cancel();
}
