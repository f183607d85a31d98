package org.raftengine.testkit.lin;

import java.util.Objects;

/**
 * What a client asked for: the invocation half of an {@link Operation}. The set is closed so that the
 * models can check with a {@code switch} that they understand every input; values are strings because
 * that is what tests and a command encoding can produce and compare cheaply.
 */
public sealed interface Input {

    /** Overwrite the register: answered {@link Output.Ok}. */
    record Write(String value) implements Input {
        /** @param value the new value, not null (null stands for "never written" in reads) */
        public Write {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "write(" + value + ")";
        }
    }

    /**
     * Read the register ({@link Output.Value}) or the whole list ({@link Output.Values}), depending
     * on the model.
     */
    record Read() implements Input {
        @Override
        public String toString() {
            return "read";
        }
    }

    /**
     * Compare-and-set: if the register holds {@code expected} (null: never written), replace it with
     * {@code update}. Answered {@link Output.CasResult}.
     */
    record Cas(String expected, String update) implements Input {
        /** @param update the new value, not null */
        public Cas {
            Objects.requireNonNull(update, "update");
        }

        @Override
        public String toString() {
            return "cas(" + expected + "->" + update + ")";
        }
    }

    /** Append to the list: answered {@link Output.Length} (the new length) or {@link Output.Ok}. */
    record Append(String value) implements Input {
        /** @param value the element, not null */
        public Append {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "append(" + value + ")";
        }
    }

    /** Shorthand for {@code new Write(value)}. */
    static Input write(String value) {
        return new Write(value);
    }

    /** Shorthand for {@code new Read()}. */
    static Input read() {
        return new Read();
    }

    /** Shorthand for {@code new Cas(expected, update)}. */
    static Input cas(String expected, String update) {
        return new Cas(expected, update);
    }

    /** Shorthand for {@code new Append(value)}. */
    static Input append(String value) {
        return new Append(value);
    }
}
