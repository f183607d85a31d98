package org.raftengine.testkit.lin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An append-only list per key: {@link Input.Append} answered with the new length
 * ({@link Output.Length}, i.e. the element's 1-based position) or just {@link Output.Ok}, and
 * {@link Input.Read} answered with the whole list ({@link Output.Values}). This is the shape of a Raft
 * log of client commands: an append's answer is the entry's index, a read returns the applied log.
 */
public final class AppendListModel implements Model<AppendListModel.Log> {

    /**
     * An immutable list as a chain from the last element back to the first, so that appending shares
     * the whole prefix (the search keeps many states alive at once), and with its hash computed
     * incrementally, so that the memo can hash a state in constant time.
     */
    public static final class Log {
        /** The empty list. */
        public static final Log EMPTY = new Log(null, null, 0, 1);

        private final String last;
        private final Log previous;
        private final int size;
        private final int hash;

        private Log(String last, Log previous, int size, int hash) {
            this.last = last;
            this.previous = previous;
            this.size = size;
            this.hash = hash;
        }

        /** This list with {@code value} appended. */
        public Log append(String value) {
            Objects.requireNonNull(value, "value");
            // The same recurrence as List.hashCode, so equal lists hash alike whichever way built.
            return new Log(value, this, size + 1, 31 * hash + value.hashCode());
        }

        /** Number of elements. */
        public int size() {
            return size;
        }

        /** The elements, oldest first (a copy). */
        public List<String> toList() {
            List<String> out = new ArrayList<>(size);
            for (Log l = this; l.size > 0; l = l.previous) {
                out.add(l.last);
            }
            Collections.reverse(out);
            return out;
        }

        /** True if this list holds exactly {@code values}, oldest first. */
        public boolean sameAs(List<String> values) {
            return values.size() == size && mayBePrefixOf(values) && isPrefixOf(values);
        }

        /** True if {@code values} starts with this list. */
        public boolean isPrefixOf(List<String> values) {
            if (values.size() < size) {
                return false;
            }
            // Compared from the end: histories that diverge tend to do so in their latest elements.
            int i = size - 1;
            for (Log l = this; l.size > 0; l = l.previous, i--) {
                if (!l.last.equals(values.get(i))) {
                    return false;
                }
            }
            return true;
        }

        /** False only if {@code values} certainly does not start with this list; O(1) for a read's output. */
        boolean mayBePrefixOf(List<String> values) {
            return values.size() >= size && (!(values instanceof HashedList h) || h.prefixHash(size) == hash);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Log other) || other.size != size || other.hash != hash) {
                return false;
            }
            // Shared tails make the walk stop early: once both chains reach one node they agree.
            for (Log a = this, b = other; a != b; a = a.previous, b = b.previous) {
                if (!a.last.equals(b.last)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            if (size <= 8) {
                return toList().toString();
            }
            List<String> all = toList();
            return "[" + size + " elements: ..., " + String.join(", ", all.subList(size - 4, size)) + "]";
        }
    }

    @Override
    public Log initialState() {
        return Log.EMPTY;
    }

    @Override
    public Optional<Log> step(Log state, Operation op) {
        Output out = op.output();
        if (op.input() instanceof Input.Append a) {
            Log after = state.append(a.value());
            if (out instanceof Output.Unknown || out instanceof Output.Ok) {
                return Optional.of(after);
            }
            if (out instanceof Output.Length len) {
                return len.length() == after.size() ? Optional.of(after) : Optional.empty();
            }
            throw unexpected(op);
        }
        if (op.input() instanceof Input.Read) {
            if (out instanceof Output.Unknown) {
                return Optional.of(state);
            }
            if (out instanceof Output.Values v) {
                return state.sameAs(v.values()) ? Optional.of(state) : Optional.empty();
            }
            throw unexpected(op);
        }
        throw unexpected(op);
    }

    /**
     * The list only grows, and by one element per pending append: an append answered with length n
     * is hopeless once the list is n long, a read once the list is not a prefix of what it returned;
     * either is when fewer appends are pending than elements are missing.
     */
    @Override
    public boolean isHopeless(Log state, Operation op, List<Operation> others) {
        if (op.input() instanceof Input.Append && op.output() instanceof Output.Length len) {
            int missing = len.length() - 1 - state.size();
            return missing < 0 || appends(others) < missing;
        }
        if (op.input() instanceof Input.Read && op.output() instanceof Output.Values v) {
            List<String> seen = v.values();
            int missing = seen.size() - state.size();
            return missing < 0 || !state.mayBePrefixOf(seen) || appends(others) < missing;
        }
        return false;
    }

    private static int appends(List<Operation> ops) {
        int n = 0;
        for (Operation o : ops) {
            if (o.input() instanceof Input.Append) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean isReadOnly(Operation op) {
        return op.input() instanceof Input.Read;
    }

    private static IllegalArgumentException unexpected(Operation op) {
        return new IllegalArgumentException("AppendListModel cannot check " + op);
    }
}
