package org.raftengine.testkit.lin;

import java.util.List;

/**
 * What the client was told: the response half of an {@link Operation}. Besides the results proper,
 * two outcomes say how much is known: {@link Unknown} (no answer, a timeout, a crashed client: the
 * operation may or may not have taken effect) and {@link Failed} (definitely did not take effect,
 * e.g. rejected before being proposed).
 */
public sealed interface Output {

    /** Acknowledged, no value (a write, or an append whose index the client did not learn). */
    record Ok() implements Output {
        @Override
        public String toString() {
            return "ok";
        }
    }

    /** A register read: the value, or null if the register was never written. */
    record Value(String value) implements Output {
        @Override
        public String toString() {
            return String.valueOf(value);
        }
    }

    /** A compare-and-set answer: whether the swap happened. */
    record CasResult(boolean swapped) implements Output {
        @Override
        public String toString() {
            return swapped ? "swapped" : "not-swapped";
        }
    }

    /** An append answer: the length of the list just after the append (its 1-based position). */
    record Length(int length) implements Output {
        @Override
        public String toString() {
            return "len=" + length;
        }
    }

    /** A list read: the whole list, oldest first. */
    record Values(List<String> values) implements Output {
        /**
         * @param values copied (into a list that caches its prefix hashes, for fast comparisons), so
         *               later changes by the caller cannot alter the history
         */
        public Values {
            values = HashedList.of(values);
        }

        @Override
        public String toString() {
            return values.toString();
        }
    }

    /**
     * The outcome is not known: the operation may have taken effect at any time after its
     * invocation, or never. Its response time is taken as +infinity.
     */
    record Unknown() implements Output {
        @Override
        public String toString() {
            return "?";
        }
    }

    /**
     * The operation definitely did not take effect. The checker drops it, since an operation with no
     * effect and no observed result constrains nothing.
     */
    record Failed() implements Output {
        @Override
        public String toString() {
            return "failed";
        }
    }

    /** The shared {@link Ok}. */
    Output OK = new Ok();
    /** The shared {@link Unknown}. */
    Output UNKNOWN = new Unknown();
    /** The shared {@link Failed}. */
    Output FAILED = new Failed();

    /** Shorthand for {@code new Value(value)}. */
    static Output value(String value) {
        return new Value(value);
    }

    /** Shorthand for {@code new CasResult(swapped)}. */
    static Output cas(boolean swapped) {
        return new CasResult(swapped);
    }

    /** Shorthand for {@code new Length(length)}. */
    static Output length(int length) {
        return new Length(length);
    }

    /** Shorthand for {@code new Values(values)}. */
    static Output values(List<String> values) {
        return new Values(values);
    }
}
