package org.raftengine.testkit.lin;

import java.util.List;

/**
 * The verdict of {@link LinearizabilityChecker}: {@link Linearizable}, {@link NotLinearizable} (with
 * the offending partition and an explanation) or {@link Unknown} (the search budget ran out first).
 */
public sealed interface CheckResult {

    /** Search steps spent, over all partitions checked. */
    long steps();

    /** True only for {@link Linearizable}. */
    default boolean isLinearizable() {
        return this instanceof Linearizable;
    }

    /**
     * Every partition has a linearization.
     *
     * @param partitions number of partitions (keys) checked
     * @param steps      search steps spent
     */
    record Linearizable(int partitions, long steps) implements CheckResult {
    }

    /**
     * Some partition has no linearization. The explanation is the deepest point the search reached:
     * the longest prefix of a linearization it found, the state it leads to, and the operations that
     * could not be placed after it. The first of those can never take effect after that prefix:
     * either the model accepts none of the operations due next and its response has been reached,
     * or the model says no sequence of the operations still pending can bring a state it accepts
     * (see {@link Model#isHopeless}). The others, if any, are the rest of the operations that were
     * due next, none of which the model accepts either.
     *
     * @param key              the partition with no linearization
     * @param linearizedPrefix the longest linearizable prefix found, in linearization order (it may
     *                         include indeterminate operations that were assumed to take effect)
     * @param stateAfterPrefix the model state after that prefix, rendered by {@link Model#describe}
     * @param unplaceable      the operations that could not be placed after the prefix, the one that
     *                         never can first
     * @param steps            search steps spent
     */
    record NotLinearizable(String key, List<Operation> linearizedPrefix, String stateAfterPrefix,
                           List<Operation> unplaceable, long steps) implements CheckResult {
        /** Copies the lists. */
        public NotLinearizable {
            linearizedPrefix = List.copyOf(linearizedPrefix);
            unplaceable = List.copyOf(unplaceable);
            if (unplaceable.isEmpty()) {
                throw new IllegalArgumentException("no unplaceable operation");
            }
        }

        /** A readable account, with at most the last {@code 10} operations of the prefix. */
        public String explanation() {
            StringBuilder sb = new StringBuilder();
            sb.append("key ").append(key).append(" is not linearizable.\n");
            int n = linearizedPrefix.size();
            sb.append("Longest linearizable prefix found: ").append(n).append(" operation(s)");
            int shown = Math.min(n, 10);
            if (shown < n) {
                sb.append(", the last ").append(shown);
            }
            sb.append(n == 0 ? "" : ":").append('\n');
            for (Operation op : linearizedPrefix.subList(n - shown, n)) {
                sb.append("  ").append(op).append('\n');
            }
            sb.append("leaving the state ").append(stateAfterPrefix).append(", after which this can never take effect:\n");
            sb.append("  ").append(unplaceable.get(0)).append('\n');
            if (unplaceable.size() > 1) {
                sb.append("nor can any of these, also due, take effect next:\n");
                for (Operation op : unplaceable.subList(1, unplaceable.size())) {
                    sb.append("  ").append(op).append('\n');
                }
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return explanation();
        }
    }

    /**
     * The budget ran out before some partitions were decided, and no other partition was found not
     * linearizable.
     *
     * @param undecidedKeys the partitions left undecided
     * @param steps         search steps spent
     */
    record Unknown(List<String> undecidedKeys, long steps) implements CheckResult {
        /** Copies the list. */
        public Unknown {
            undecidedKeys = List.copyOf(undecidedKeys);
        }
    }
}
