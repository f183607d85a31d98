package org.raftengine.core.spi;

import java.util.Arrays;
import java.util.Objects;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RejectedCommandException;

/**
 * The outcome of a command a state machine applied, as it keeps it durably when it
 * {@link StateMachine#keepsOutcomes() keeps outcomes}: what {@link StateMachine#apply} returned, or the
 * reason it rejected the command with ({@link RejectedCommandException}'s message, as the node passed it to
 * {@link StateMachine#recordRejected}). After a restart the node answers a duplicate of a session command
 * applied before it with this outcome ({@link CommandResult.Ok} or {@link CommandResult.ApplicationError}),
 * as it would have without the restart.
 *
 * <p>Exactly one of the two is non-null. The array is not copied: neither the state machine nor the node
 * changes it once it is handed over.
 *
 * @param output    what {@code apply} returned (an empty array where it returned null), or null if rejected
 * @param rejection the reason the command was rejected with, or null if it was applied
 */
public record AppliedOutcome(byte[] output, String rejection) {

    public AppliedOutcome {
        if ((output == null) == (rejection == null)) {
            throw new IllegalArgumentException("an applied outcome has either an output or a rejection, exactly one");
        }
    }

    /** A command applied, with the output {@code apply} returned (never null: empty for none). */
    public static AppliedOutcome ok(byte[] output) {
        if (output == null) {
            throw new IllegalArgumentException("an applied command's output is never null (empty for none)");
        }
        return new AppliedOutcome(output, null);
    }

    /** A command the state machine rejected with {@code reason}. */
    public static AppliedOutcome rejected(String reason) {
        if (reason == null) {
            throw new IllegalArgumentException("a rejected command's reason is never null");
        }
        return new AppliedOutcome(null, reason);
    }

    /** True if the command was rejected. */
    public boolean isRejected() {
        return rejection != null;
    }

    /** Equal if both hold the same output bytes, or the same rejection. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AppliedOutcome a && Arrays.equals(output, a.output) && Objects.equals(rejection, a.rejection);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(output) + Objects.hashCode(rejection);
    }

    @Override
    public String toString() {
        return rejection != null ? "AppliedOutcome[rejected: " + rejection + "]"
                : "AppliedOutcome[ok, " + output.length + "B]";
    }
}
