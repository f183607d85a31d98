package org.raftengine.testkit.lin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A register per key: {@link Input.Write} (answered {@link Output.Ok}), {@link Input.Read} (answered
 * {@link Output.Value}, null if never written) and {@link Input.Cas} (answered
 * {@link Output.CasResult}). Partitioned by key, so a partition's state is just that key's register.
 */
public final class KeyValueModel implements Model<KeyValueModel.Register> {

    /**
     * The value of one register, null if it was never written. A record rather than a bare string so
     * that "absent" is a value {@link Optional} can hold, and equality is by value for the memo.
     */
    public record Register(String value) {
        /** The register before any write. */
        public static final Register ABSENT = new Register(null);

        @Override
        public String toString() {
            return value == null ? "<absent>" : value;
        }
    }

    private final Register initial;

    /** Registers start absent (never written). */
    public KeyValueModel() {
        this(null);
    }

    /** Registers start with {@code initialValue} (null: absent). */
    public KeyValueModel(String initialValue) {
        this.initial = initialValue == null ? Register.ABSENT : new Register(initialValue);
    }

    @Override
    public Register initialState() {
        return initial;
    }

    @Override
    public Optional<Register> step(Register state, Operation op) {
        Output out = op.output();
        boolean unknown = out instanceof Output.Unknown;
        if (op.input() instanceof Input.Write w) {
            if (!unknown && !(out instanceof Output.Ok)) {
                throw unexpected(op);
            }
            return Optional.of(new Register(w.value()));
        }
        if (op.input() instanceof Input.Read) {
            if (unknown) {
                return Optional.of(state);
            }
            if (!(out instanceof Output.Value v)) {
                throw unexpected(op);
            }
            return Objects.equals(v.value(), state.value()) ? Optional.of(state) : Optional.empty();
        }
        if (op.input() instanceof Input.Cas c) {
            boolean matches = Objects.equals(c.expected(), state.value());
            Register after = matches ? new Register(c.update()) : state;
            if (unknown) {
                // Had it taken effect, its effect is fixed by the state: no need to branch on the answer.
                return Optional.of(after);
            }
            if (!(out instanceof Output.CasResult r)) {
                throw unexpected(op);
            }
            return r.swapped() == matches ? Optional.of(after) : Optional.empty();
        }
        throw unexpected(op);
    }

    /** Reads, and compare-and-sets known to have failed (a failed one changes nothing). */
    @Override
    public boolean isReadOnly(Operation op) {
        return op.input() instanceof Input.Read
                || (op.input() instanceof Input.Cas && op.output() instanceof Output.CasResult r && !r.swapped());
    }

    /**
     * A read of v (or a successful CAS from v) needs the register to hold v again; a failed CAS from v
     * needs it to hold anything else. Both are hopeless if no such value is reachable from the
     * current one through the pending operations: writes reach their value, a CAS that may have
     * swapped reaches its new value if its expected one is reachable. (Ignoring that each operation
     * takes effect at most once only makes the set larger, so the answer stays safe.)
     */
    @Override
    public boolean isHopeless(Register state, Operation op, List<Operation> others) {
        if (op.input() instanceof Input.Read && op.output() instanceof Output.Value v) {
            return !canReach(state, others, v.value(), false);
        }
        if (op.input() instanceof Input.Cas c && op.output() instanceof Output.CasResult r) {
            return !canReach(state, others, c.expected(), !r.swapped());
        }
        return false;
    }

    /**
     * Whether some value equal to {@code target} (or, if {@code other}, different from it) is
     * reachable from {@code state} through {@code others}.
     */
    private static boolean canReach(Register state, List<Operation> others, String target, boolean other) {
        // Fast path, no allocation: a plain write of a suitable value.
        boolean conditional = false;
        for (Operation o : others) {
            if (o.input() instanceof Input.Write w) {
                if (Objects.equals(w.value(), target) != other) {
                    return true;
                }
            } else if (o.input() instanceof Input.Cas) {
                conditional = true;
            }
        }
        if (!conditional) {
            return false;
        }
        Set<String> values = reachable(state, others);
        if (!other) {
            return values.contains(target);
        }
        values.remove(target);
        return !values.isEmpty();
    }

    private static Set<String> reachable(Register state, List<Operation> others) {
        Set<String> values = new HashSet<>();
        values.add(state.value());
        List<Input.Cas> conditional = new ArrayList<>();
        for (Operation o : others) {
            if (o.input() instanceof Input.Write w) {
                values.add(w.value());
            } else if (o.input() instanceof Input.Cas c
                    && !(o.output() instanceof Output.CasResult r && !r.swapped())) {
                conditional.add(c);
            }
        }
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Iterator<Input.Cas> it = conditional.iterator(); it.hasNext(); ) {
                Input.Cas c = it.next();
                if (values.contains(c.expected())) {
                    it.remove();
                    grew |= values.add(c.update());
                }
            }
        }
        return values;
    }

    private static IllegalArgumentException unexpected(Operation op) {
        return new IllegalArgumentException("KeyValueModel cannot check " + op);
    }
}
