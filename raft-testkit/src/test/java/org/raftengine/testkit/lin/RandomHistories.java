package org.raftengine.testkit.lin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Random histories that are linearizable by construction: a sequential run of the model, each
 * operation given a linearization point, then stretched into an interval around it. If one operation
 * ends before another starts, its point is earlier, so the points are a linearization. Some operations
 * become indeterminate (their effect still happens at the point), and some extra writes/appends are
 * "lost": indeterminate and never applied. {@link #mutate} then breaks outputs or timing, which
 * usually (not always) breaks linearizability.
 */
final class RandomHistories {

    /**
     * Shape of a generated history.
     *
     * @param keys        number of keys
     * @param opsPerKey   operations per key (before lost ones are added)
     * @param gap         distance between consecutive linearization points of one key
     * @param spread      each side of the point is stretched by a random 0..spread
     * @param values      size of the value domain for writes (0: every write unique)
     * @param casShare    probability of a compare-and-set (register only)
     * @param readShare   probability of a read
     * @param unknownShare probability that an operation's outcome is unknown
     * @param lostShare   probability of adding a lost write/append next to an operation
     */
    record Shape(int keys, int opsPerKey, int gap, int spread, int values, double casShare, double readShare,
                 double unknownShare, double lostShare) {
        /** About spread/gap operations of a key are concurrent at any time. */
        static Shape of(int keys, int opsPerKey, int gap, int spread) {
            return new Shape(keys, opsPerKey, gap, spread, 0, 0.2, 0.4, 0.05, 0.02);
        }

        Shape values(int n) {
            return new Shape(keys, opsPerKey, gap, spread, n, casShare, readShare, unknownShare, lostShare);
        }

        Shape uncertainty(double unknown, double lost) {
            return new Shape(keys, opsPerKey, gap, spread, values, casShare, readShare, unknown, lost);
        }
    }

    private RandomHistories() {
    }

    static List<Operation> register(Random rnd, Shape shape) {
        List<Operation> out = new ArrayList<>();
        for (int k = 0; k < shape.keys(); k++) {
            String key = "k" + k;
            String state = null;
            for (int j = 0; j < shape.opsPerKey(); j++) {
                long point = (long) shape.gap() * (j + 1) + k;
                String process = "c" + rnd.nextInt(8);
                double dice = rnd.nextDouble();
                Input input;
                Output output;
                if (dice < shape.readShare()) {
                    input = Input.read();
                    output = Output.value(state);
                } else if (dice < shape.readShare() + shape.casShare()) {
                    String expected = rnd.nextBoolean() ? state : value(rnd, shape, key, j);
                    String update = value(rnd, shape, key, j);
                    boolean swapped = Objects.equals(expected, state);
                    input = Input.cas(expected, update);
                    output = Output.cas(swapped);
                    if (swapped) {
                        state = update;
                    }
                } else {
                    String v = value(rnd, shape, key, j);
                    input = Input.write(v);
                    output = Output.OK;
                    state = v;
                }
                out.add(stretch(rnd, shape, out.size(), process, key, input, output, point));
                if (rnd.nextDouble() < shape.lostShare()) {
                    long invoke = point - rnd.nextInt(shape.spread() + 1);
                    out.add(Operation.indeterminate(out.size() + 1, "lost", key,
                            Input.write(value(rnd, shape, key, j) + "-lost"), invoke));
                }
            }
        }
        out.sort(Comparator.comparingLong(Operation::invokeTime));
        return out;
    }

    static List<Operation> appendList(Random rnd, Shape shape) {
        List<Operation> out = new ArrayList<>();
        for (int k = 0; k < shape.keys(); k++) {
            String key = "log" + k;
            List<String> state = new ArrayList<>();
            for (int j = 0; j < shape.opsPerKey(); j++) {
                long point = (long) shape.gap() * (j + 1) + k;
                Input input;
                Output output;
                if (rnd.nextDouble() < shape.readShare()) {
                    input = Input.read();
                    output = Output.values(state);
                } else {
                    String v = key + "-" + j;
                    state.add(v);
                    input = Input.append(v);
                    output = rnd.nextInt(4) == 0 ? Output.OK : Output.length(state.size());
                }
                out.add(stretch(rnd, shape, out.size(), "c" + j % 7, key, input, output, point));
                if (rnd.nextDouble() < shape.lostShare()) {
                    long invoke = point - rnd.nextInt(shape.spread() + 1);
                    out.add(Operation.indeterminate(out.size() + 1, "lost", key, Input.append(key + "-lost" + j),
                            invoke));
                }
            }
        }
        out.sort(Comparator.comparingLong(Operation::invokeTime));
        return out;
    }

    private static Operation stretch(Random rnd, Shape shape, int index, String process, String key, Input input,
                                     Output output, long point) {
        long invoke = point - rnd.nextInt(shape.spread() + 1);
        long response = point + rnd.nextInt(shape.spread() + 1);
        if (rnd.nextDouble() < shape.unknownShare()) {
            return Operation.indeterminate(index + 1, process, key, input, invoke);
        }
        return Operation.completed(index + 1, process, key, input, output, invoke, response);
    }

    private static String value(Random rnd, Shape shape, String key, int j) {
        return shape.values() > 0 ? "v" + rnd.nextInt(shape.values()) : key + "-" + j;
    }

    /**
     * Changes {@code count} random completed operations: a different output, or (one time in four)
     * the same operation moved to another random interval.
     */
    static List<Operation> mutate(Random rnd, List<Operation> history, int count) {
        List<Operation> ops = new ArrayList<>(history);
        long low = ops.stream().mapToLong(Operation::invokeTime).min().orElse(0);
        long span = ops.stream().mapToLong(Operation::invokeTime).max().orElse(0) - low + 2;
        for (int done = 0, tries = 0; done < count && tries < 100; tries++) {
            int i = rnd.nextInt(ops.size());
            Operation op = ops.get(i);
            if (op.isIndeterminate()) {
                continue;
            }
            if (rnd.nextInt(4) == 0) {
                long invoke = low + rnd.nextLong(span);
                long response = invoke + rnd.nextLong(1 + span / 4);
                ops.set(i, new Operation(op.id(), op.process(), op.key(), op.input(), op.output(), invoke, response));
                done++;
                continue;
            }
            Output changed = otherOutput(rnd, op.output());
            if (changed != null) {
                ops.set(i, op.withOutput(changed));
                done++;
            }
        }
        return ops;
    }

    private static Output otherOutput(Random rnd, Output output) {
        if (output instanceof Output.Value v) {
            String[] pool = {null, "v0", "v1", "v2", "never"};
            String pick;
            do {
                pick = pool[rnd.nextInt(pool.length)];
            } while (Objects.equals(pick, v.value()));
            return Output.value(pick);
        }
        if (output instanceof Output.CasResult c) {
            return Output.cas(!c.swapped());
        }
        if (output instanceof Output.Length len) {
            return Output.length(len.length() > 1 && rnd.nextBoolean() ? len.length() - 1 : len.length() + 1);
        }
        if (output instanceof Output.Values list) {
            List<String> values = new ArrayList<>(list.values());
            if (values.size() >= 2 && rnd.nextBoolean()) {
                int a = rnd.nextInt(values.size() - 1);
                values.set(a, values.set(a + 1, values.get(a)));
            } else if (!values.isEmpty() && rnd.nextBoolean()) {
                values.remove(rnd.nextInt(values.size()));
            } else {
                values.add("never");
            }
            return Output.values(values);
        }
        return null;
    }
}
