package org.raftengine.testkit.sim;

/**
 * Called after every simulated step, once its trace row is recorded: the place for invariant checks.
 * A listener that finds a violation throws (usually an {@link InvariantViolation}), which stops the run.
 */
@FunctionalInterface
public interface StepListener {
    void afterStep(TraceRow row);
}
