package org.raftengine.testkit.lin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a history of operations is linearizable with respect to a {@link Model}.
 *
 * <p>The history is first split into the model's partitions (keys, usually) and each is searched
 * alone: by P-compositionality a history over independent objects is linearizable if and only if each
 * per-object sub-history is, and many small searches are exponentially cheaper than one big one. Each
 * partition is then searched by {@link PartitionSearch} (Wing &amp; Gong with Lowe's memo of failed
 * configurations). Before that, operations that certainly had no effect are dropped:
 * {@link Output.Failed} ones, and indeterminate read-only ones (nobody saw their result).
 *
 * <p>Partitions are checked in order of first appearance in the history and the first one found not
 * linearizable is reported. A partition whose search runs out of budget does not stop the others: a
 * definite violation elsewhere is more useful than "unknown", so {@link CheckResult.Unknown} is only
 * returned when no partition is found not linearizable.
 *
 * <p>The search is exact (no false alarms, no missed violations) when it finishes. Its worst case is
 * exponential in the number of operations concurrent within one partition, hence the budget.
 */
public final class LinearizabilityChecker {

    /**
     * Default search budget per partition, in steps (roughly, calls into the model). Generous for
     * thousands of operations per key with tens of them concurrent (which take well under a million),
     * while bounding the time and the memory the memo can take on a pathological partition.
     */
    public static final long DEFAULT_MAX_STEPS_PER_PARTITION = 10_000_000;

    private LinearizabilityChecker() {
    }

    /** Checks with {@link #DEFAULT_MAX_STEPS_PER_PARTITION} and no time limit. */
    public static <S> CheckResult check(List<Operation> history, Model<S> model) {
        return check(history, model, DEFAULT_MAX_STEPS_PER_PARTITION, null);
    }

    /**
     * Checks with a step budget per partition and no time limit, so that the verdict is reproducible.
     * The budget is per partition so that one hard key cannot starve the others of a verdict.
     */
    public static <S> CheckResult check(List<Operation> history, Model<S> model, long maxStepsPerPartition) {
        return check(history, model, maxStepsPerPartition, null);
    }

    /** Checks with a wall-clock limit over the whole check (and no step limit). */
    public static <S> CheckResult check(List<Operation> history, Model<S> model, Duration timeout) {
        return check(history, model, Long.MAX_VALUE, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Checks {@code history} against {@code model}.
     *
     * @param history              the operations, in any order
     * @param model                the sequential specification
     * @param maxStepsPerPartition search steps allowed for each partition
     * @param timeout              wall-clock limit for the whole check, or null for none
     * @return {@link CheckResult.NotLinearizable} for the first partition (in order of first
     *     appearance) found not linearizable; else {@link CheckResult.Unknown} if the budget ran out
     *     for some partition; else {@link CheckResult.Linearizable}
     */
    public static <S> CheckResult check(List<Operation> history, Model<S> model, long maxStepsPerPartition,
                                        Duration timeout) {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(model, "model");
        if (maxStepsPerPartition <= 0) {
            throw new IllegalArgumentException("maxStepsPerPartition must be positive: " + maxStepsPerPartition);
        }
        boolean timed = timeout != null;
        long deadline = timed ? System.nanoTime() + saturatedNanos(timeout) : 0;

        Map<String, List<Operation>> partitions = new LinkedHashMap<>();
        for (Operation op : history) {
            Objects.requireNonNull(op, "operation");
            if (op.output() instanceof Output.Failed) {
                continue;
            }
            if (op.isIndeterminate() && model.isReadOnly(op)) {
                continue;
            }
            partitions.computeIfAbsent(model.partition(op), k -> new ArrayList<>()).add(op);
        }

        long steps = 0;
        List<String> undecided = new ArrayList<>();
        for (Map.Entry<String, List<Operation>> partition : partitions.entrySet()) {
            if (timed && System.nanoTime() - deadline >= 0) {
                undecided.add(partition.getKey());
                continue;
            }
            PartitionSearch<S> search = new PartitionSearch<>(model, partition.getKey(), partition.getValue());
            PartitionSearch.Verdict verdict = search.run(maxStepsPerPartition, timed, deadline);
            steps += search.steps();
            switch (verdict) {
                case NOT_LINEARIZABLE:
                    return search.explanation(steps);
                case BUDGET_EXHAUSTED:
                    undecided.add(partition.getKey());
                    break;
                default:
                    break;
            }
        }
        return undecided.isEmpty() ? new CheckResult.Linearizable(partitions.size(), steps)
                : new CheckResult.Unknown(undecided, steps);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }
}
