package org.raftengine.testkit.lin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stretched sequential runs must always pass; mutated ones, and fully random ones, must get the same
 * verdict as the brute-force oracle.
 */
class RandomizedCrossCheckTest {

    private static final KeyValueModel REGISTER = new KeyValueModel();
    private static final AppendListModel LIST = new AppendListModel();

    @Test
    void stretchedSequentialRunsAreAlwaysLinearizable() {
        for (int seed = 0; seed < 300; seed++) {
            Random rnd = new Random(seed);
            RandomHistories.Shape shape = RandomHistories.Shape.of(1 + rnd.nextInt(5), 1 + rnd.nextInt(60),
                    10, rnd.nextInt(80)).values(rnd.nextInt(4)).uncertainty(rnd.nextDouble() * 0.2,
                    rnd.nextDouble() * 0.1);
            List<Operation> history = RandomHistories.register(rnd, shape);
            assertThat(LinearizabilityChecker.check(history, REGISTER))
                    .as("seed %d: %s", seed, history)
                    .isInstanceOf(CheckResult.Linearizable.class);

            List<Operation> log = RandomHistories.appendList(rnd, shape);
            assertThat(LinearizabilityChecker.check(log, LIST))
                    .as("seed %d: %s", seed, log)
                    .isInstanceOf(CheckResult.Linearizable.class);
        }
    }

    @Test
    void agreesWithBruteForceOnMutatedRegisterHistories() {
        int[] verdicts = new int[2];
        for (int seed = 0; seed < 3_000; seed++) {
            Random rnd = new Random(seed);
            RandomHistories.Shape shape = new RandomHistories.Shape(1, 1 + rnd.nextInt(6), 2, rnd.nextInt(6),
                    1 + rnd.nextInt(3), 0.25, 0.4, 0.15, 0.1);
            List<Operation> history = RandomHistories.register(rnd, shape);
            if (history.size() > 7) {
                history = history.subList(0, 7);
            }
            if (rnd.nextInt(4) != 0) {
                history = RandomHistories.mutate(rnd, history, 1 + rnd.nextInt(2));
            }
            verdicts[crossCheck(seed, history, REGISTER) ? 1 : 0]++;
        }
        // Both verdicts must be well represented, or the comparison proves little.
        assertThat(verdicts[0]).isGreaterThan(500);
        assertThat(verdicts[1]).isGreaterThan(500);
    }

    @Test
    void agreesWithBruteForceOnMutatedListHistories() {
        int[] verdicts = new int[2];
        for (int seed = 0; seed < 2_000; seed++) {
            Random rnd = new Random(seed);
            RandomHistories.Shape shape = new RandomHistories.Shape(1, 1 + rnd.nextInt(6), 2, rnd.nextInt(6), 0,
                    0, 0.4, 0.15, 0.1);
            List<Operation> history = RandomHistories.appendList(rnd, shape);
            if (history.size() > 7) {
                history = history.subList(0, 7);
            }
            if (rnd.nextInt(4) != 0) {
                history = RandomHistories.mutate(rnd, history, 1);
            }
            verdicts[crossCheck(seed, history, LIST) ? 1 : 0]++;
        }
        assertThat(verdicts[0]).isGreaterThan(300);
        assertThat(verdicts[1]).isGreaterThan(300);
    }

    @Test
    void agreesWithBruteForceOnArbitraryRegisterHistories() {
        // No sequential run behind these: random intervals on a tiny clock (many ties) and random
        // outputs from a tiny domain, so that every corner of the search is visited.
        String[] values = {null, "a", "b"};
        int[] verdicts = new int[2];
        for (int seed = 0; seed < 4_000; seed++) {
            Random rnd = new Random(seed);
            List<Operation> history = new ArrayList<>();
            int n = 1 + rnd.nextInt(7);
            for (int i = 0; i < n; i++) {
                long invoke = rnd.nextInt(12);
                long response = invoke + rnd.nextInt(6);
                Input input;
                Output output;
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        input = Input.write(values[1 + rnd.nextInt(2)]);
                        output = Output.OK;
                    }
                    case 1 -> {
                        input = Input.read();
                        output = Output.value(values[rnd.nextInt(3)]);
                    }
                    default -> {
                        input = Input.cas(values[rnd.nextInt(3)], values[1 + rnd.nextInt(2)]);
                        output = Output.cas(rnd.nextBoolean());
                    }
                }
                if (rnd.nextInt(6) == 0) {
                    output = Output.UNKNOWN;
                }
                history.add(new Operation(i + 1, "p" + i, "x", input, output, invoke, response));
            }
            verdicts[crossCheck(seed, history, REGISTER) ? 1 : 0]++;
        }
        assertThat(verdicts[0]).isGreaterThan(500);
        assertThat(verdicts[1]).isGreaterThan(500);
    }

    @Test
    void agreesWithTheSubsetOracleOnMediumHistories() {
        // Long enough for the pruning rules to matter (reads placed eagerly, hopeless operations,
        // indeterminate operations tried only when they make a difference, the memo), too short to
        // hide a wrong verdict: stretched runs with many overlaps, unknown outcomes and lost
        // writes, half of them mutated, checked against an oracle that has none of those rules.
        int[] verdicts = new int[2];
        for (int seed = 0; seed < 1_000; seed++) {
            Random rnd = new Random(seed);
            RandomHistories.Shape shape = new RandomHistories.Shape(1, 6 + rnd.nextInt(10), 3, 2 + rnd.nextInt(12),
                    1 + rnd.nextInt(4), 0.3, 0.35, 0.2, 0.15);
            List<Operation> history = RandomHistories.register(rnd, shape);
            if (history.size() > 16) {
                history = history.subList(0, 16);
            }
            if (rnd.nextBoolean()) {
                history = RandomHistories.mutate(rnd, history, 1 + rnd.nextInt(2));
            }
            CheckResult result = LinearizabilityChecker.check(history, REGISTER);
            boolean expected = BruteForceChecker.isLinearizableBySubsets(history, REGISTER);
            assertThat(result.isLinearizable()).as("seed %d: %s -> %s", seed, history, result).isEqualTo(expected);
            if (result instanceof CheckResult.NotLinearizable bad) {
                explanationHolds(bad, REGISTER);
            }
            verdicts[expected ? 1 : 0]++;

            List<Operation> log = RandomHistories.appendList(rnd, new RandomHistories.Shape(1, 6 + rnd.nextInt(10), 3,
                    2 + rnd.nextInt(12), 0, 0, 0.35, 0.2, 0.15));
            if (log.size() > 16) {
                log = log.subList(0, 16);
            }
            if (rnd.nextBoolean()) {
                log = RandomHistories.mutate(rnd, log, 1);
            }
            CheckResult logResult = LinearizabilityChecker.check(log, LIST);
            assertThat(logResult.isLinearizable()).as("seed %d: %s -> %s", seed, log, logResult)
                    .isEqualTo(BruteForceChecker.isLinearizableBySubsets(log, LIST));
        }
        assertThat(verdicts[0]).isGreaterThan(200);
        assertThat(verdicts[1]).isGreaterThan(200);
    }

    @Test
    void theTwoOraclesAgree() {
        for (int seed = 0; seed < 500; seed++) {
            Random rnd = new Random(seed);
            List<Operation> history = RandomHistories.mutate(rnd, RandomHistories.register(rnd,
                    new RandomHistories.Shape(1, 1 + rnd.nextInt(6), 2, rnd.nextInt(6), 2, 0.3, 0.4, 0.2, 0.1)), 1);
            if (history.size() > 7) {
                history = history.subList(0, 7);
            }
            assertThat(BruteForceChecker.isLinearizableBySubsets(history, REGISTER)).as("seed %d", seed)
                    .isEqualTo(BruteForceChecker.isLinearizable(history, REGISTER));
        }
    }

    private static <S> boolean crossCheck(int seed, List<Operation> history, Model<S> model) {
        CheckResult result = LinearizabilityChecker.check(history, model);
        boolean expected = BruteForceChecker.isLinearizable(history, model);
        assertThat(result).as("seed %d: %s", seed, history).isNotInstanceOf(CheckResult.Unknown.class);
        assertThat(result.isLinearizable()).as("seed %d: %s -> %s", seed, history, result).isEqualTo(expected);
        if (result instanceof CheckResult.NotLinearizable bad) {
            explanationHolds(bad, model);
        }
        return expected;
    }

    /**
     * The explanation is checkable: the prefix is a legal run leading to the reported state, and no
     * reported operation is accepted by the model in that state.
     */
    private static <S> void explanationHolds(CheckResult.NotLinearizable bad, Model<S> model) {
        S state = model.initialState();
        for (Operation op : bad.linearizedPrefix()) {
            state = model.step(state, op).orElseThrow(() -> new AssertionError("illegal prefix " + bad));
        }
        assertThat(model.describe(state)).isEqualTo(bad.stateAfterPrefix());
        assertThat(bad.unplaceable()).isNotEmpty();
        for (Operation op : bad.unplaceable()) {
            assertThat(bad.linearizedPrefix()).doesNotContain(op);
            assertThat(model.step(state, op)).as("%s in %s", op, bad).isEmpty();
        }
    }
}
