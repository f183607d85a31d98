package org.raftengine.testkit.lin;

import java.util.Objects;

/**
 * One client operation of a history: who called what on which key, when, and what came back.
 *
 * <p>Times are in any consistent unit (the simulator's virtual nanoseconds, say). Intervals are
 * closed: an operation that responded at {@code t} and one invoked at {@code t} are taken as
 * concurrent, because equal timestamps do not say which happened first and a checker must not
 * report a violation that depends on a tie.
 *
 * <p>An operation whose output is {@link Output.Unknown} is <em>indeterminate</em>: it may have taken
 * effect at any point after its invocation, or never. Its response time is always
 * {@link Long#MAX_VALUE} (whatever was passed), so that it never constrains the order of others.
 *
 * @param id           a caller-chosen identifier, only used in reports
 * @param process      the client (or process) that issued it, only used in reports
 * @param key          the key it touches; the usual partition key of a {@link Model}
 * @param input        what was asked
 * @param output       what was answered, {@link Output.Unknown} if nothing definite
 * @param invokeTime   when it was invoked
 * @param responseTime when the answer arrived; {@link Long#MAX_VALUE} for an indeterminate operation
 */
public record Operation(long id, String process, String key, Input input, Output output, long invokeTime,
                        long responseTime) {

    /** Checks the fields; forces the response time of an indeterminate operation to +infinity. */
    public Operation {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        if (output instanceof Output.Unknown) {
            responseTime = Long.MAX_VALUE;
        }
        if (responseTime < invokeTime) {
            throw new IllegalArgumentException("operation " + id + " responds at " + responseTime
                    + " before its invocation at " + invokeTime);
        }
    }

    /** An operation that completed with {@code output} at {@code responseTime}. */
    public static Operation completed(long id, String process, String key, Input input, Output output,
                                      long invokeTime, long responseTime) {
        return new Operation(id, process, key, input, output, invokeTime, responseTime);
    }

    /** An operation with no known outcome: it may take effect any time after {@code invokeTime}, or never. */
    public static Operation indeterminate(long id, String process, String key, Input input, long invokeTime) {
        return new Operation(id, process, key, input, Output.UNKNOWN, invokeTime, Long.MAX_VALUE);
    }

    /** True if the outcome is unknown: it may or may not have taken effect. */
    public boolean isIndeterminate() {
        return output instanceof Output.Unknown;
    }

    /** The same operation with another output (an {@link Output.Unknown} one makes it indeterminate). */
    public Operation withOutput(Output newOutput) {
        return new Operation(id, process, key, input, newOutput, invokeTime, responseTime);
    }

    @Override
    public String toString() {
        String end = responseTime == Long.MAX_VALUE ? "inf" : Long.toString(responseTime);
        return "#" + id + " " + process + " " + key + " " + input + " -> " + output + " [" + invokeTime + ", "
                + end + "]";
    }
}
