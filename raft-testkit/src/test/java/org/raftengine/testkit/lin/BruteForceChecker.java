package org.raftengine.testkit.lin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Oracles for single-partition histories, written as directly from the definition as possible and
 * sharing no code with the checker: {@link #isLinearizable} executes the definition literally (every
 * choice of indeterminate operations that took effect, every permutation of them and the completed
 * ones), for up to 9 operations; {@link #isLinearizableBySubsets} searches the same space in order,
 * remembering (placed set, state) pairs, for up to about 16 operations.
 */
final class BruteForceChecker {
    private BruteForceChecker() {
    }

    static <S> boolean isLinearizable(List<Operation> history, Model<S> model) {
        List<Operation> definite = new ArrayList<>();
        List<Operation> open = new ArrayList<>();
        for (Operation op : history) {
            if (op.output() instanceof Output.Failed) {
                continue;
            }
            (op.isIndeterminate() ? open : definite).add(op);
        }
        if (definite.size() + open.size() > 9) {
            throw new IllegalArgumentException("too long for brute force: " + history.size());
        }
        for (int subset = 0; subset < (1 << open.size()); subset++) {
            List<Operation> chosen = new ArrayList<>(definite);
            for (int i = 0; i < open.size(); i++) {
                if ((subset & (1 << i)) != 0) {
                    chosen.add(open.get(i));
                }
            }
            if (anyPermutationWorks(chosen, new ArrayList<>(), new boolean[chosen.size()], model)) {
                return true;
            }
        }
        return false;
    }

    private static <S> boolean anyPermutationWorks(List<Operation> ops, List<Operation> prefix, boolean[] taken,
                                                   Model<S> model) {
        if (prefix.size() == ops.size()) {
            return valid(prefix, model);
        }
        for (int i = 0; i < ops.size(); i++) {
            if (!taken[i]) {
                taken[i] = true;
                prefix.add(ops.get(i));
                boolean ok = anyPermutationWorks(ops, prefix, taken, model);
                prefix.remove(prefix.size() - 1);
                taken[i] = false;
                if (ok) {
                    return true;
                }
            }
        }
        return false;
    }

    private static <S> boolean valid(List<Operation> order, Model<S> model) {
        for (int i = 0; i < order.size(); i++) {
            for (int j = i + 1; j < order.size(); j++) {
                // order[j] placed after order[i] although it had finished before order[i] began.
                if (order.get(j).responseTime() < order.get(i).invokeTime()) {
                    return false;
                }
            }
        }
        S state = model.initialState();
        for (Operation op : order) {
            Optional<S> next = model.step(state, op);
            if (next.isEmpty()) {
                return false;
            }
            state = next.get();
        }
        return true;
    }

    static <S> boolean isLinearizableBySubsets(List<Operation> history, Model<S> model) {
        List<Operation> ops = new ArrayList<>();
        for (Operation op : history) {
            if (!(op.output() instanceof Output.Failed)) {
                ops.add(op);
            }
        }
        if (ops.size() > 30) {
            throw new IllegalArgumentException("too long: " + ops.size());
        }
        int completed = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (!ops.get(i).isIndeterminate()) {
                completed |= 1 << i;
            }
        }
        return place(ops, completed, 0, model.initialState(), model, new java.util.HashSet<>());
    }

    private static <S> boolean place(List<Operation> ops, int completed, int placed, S state, Model<S> model,
                                     java.util.Set<List<Object>> seen) {
        if ((placed & completed) == completed) {
            return true;
        }
        if (!seen.add(List.of(placed, state))) {
            return false;
        }
        for (int i = 0; i < ops.size(); i++) {
            if ((placed & (1 << i)) != 0 || !mayGoNext(ops, completed, placed, i)) {
                continue;
            }
            Optional<S> next = model.step(state, ops.get(i));
            if (next.isPresent() && place(ops, completed, placed | (1 << i), next.get(), model, seen)) {
                return true;
            }
        }
        return false;
    }

    /** No unplaced completed operation finished before operation {@code i} began. */
    private static boolean mayGoNext(List<Operation> ops, int completed, int placed, int i) {
        for (int j = 0; j < ops.size(); j++) {
            if ((completed & (1 << j)) != 0 && (placed & (1 << j)) == 0 && j != i
                    && ops.get(j).responseTime() < ops.get(i).invokeTime()) {
                return false;
            }
        }
        return true;
    }
}
