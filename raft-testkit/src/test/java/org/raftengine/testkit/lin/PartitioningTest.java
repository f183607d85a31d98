package org.raftengine.testkit.lin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The history is split by key and a violation is reported with its key. */
class PartitioningTest {

    private static final KeyValueModel MODEL = new KeyValueModel();

    @Test
    void violationOnOneKeyAmongManyIsFoundAndNamed() {
        List<Operation> history = new ArrayList<>(RandomHistories.register(new Random(7),
                RandomHistories.Shape.of(100, 30, 10, 30)));
        assertThat(LinearizabilityChecker.check(history, MODEL)).isInstanceOf(CheckResult.Linearizable.class);

        // A stale read on k57, after everything else on that key has finished.
        long end = history.stream().filter(op -> !op.isIndeterminate()).mapToLong(Operation::responseTime).max()
                .orElseThrow();
        history.add(Operation.completed(9_001, "x", "k57", Input.write("fresh"), Output.OK, end + 1, end + 2));
        Operation stale = Operation.completed(9_002, "y", "k57", Input.read(), Output.value("k57-0"), end + 3, end + 4);
        history.add(stale);

        CheckResult result = LinearizabilityChecker.check(history, MODEL);
        assertThat(result).isInstanceOf(CheckResult.NotLinearizable.class);
        CheckResult.NotLinearizable bad = (CheckResult.NotLinearizable) result;
        assertThat(bad.key()).isEqualTo("k57");
        assertThat(bad.linearizedPrefix()).allMatch(op -> op.key().equals("k57"));
        // The stale read is given up as soon as nothing pending can write its value again.
        assertThat(bad.unplaceable()).first().isEqualTo(stale);
        assertThat(bad.stateAfterPrefix()).isNotEqualTo("k57-0");
        assertThat(bad.explanation()).contains("key k57", "#9002 y k57 read -> k57-0");
    }

    @Test
    void keysAreIndependent() {
        // On one register this would be a stale read; on two keys it is not.
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        h.write("a", "y", "2", 20, 30);
        h.read("b", "x", "1", 40, 50);
        CheckResult result = LinearizabilityChecker.check(h.build(), MODEL);
        assertThat(result).isInstanceOf(CheckResult.Linearizable.class);
        assertThat(((CheckResult.Linearizable) result).partitions()).isEqualTo(2);

        Model<KeyValueModel.Register> oneRegister = new Model<>() {
            @Override
            public KeyValueModel.Register initialState() {
                return MODEL.initialState();
            }

            @Override
            public java.util.Optional<KeyValueModel.Register> step(KeyValueModel.Register state, Operation op) {
                return MODEL.step(state, op);
            }

            @Override
            public String partition(Operation op) {
                return "all";
            }
        };
        assertThat(LinearizabilityChecker.check(h.build(), oneRegister).isLinearizable()).isFalse();
    }

    @Test
    void budgetExhaustionIsUnknownButADefiniteViolationElsewhereWins() {
        // A key hard enough to need more than a handful of steps...
        List<Operation> hard = RandomHistories.register(new Random(3),
                RandomHistories.Shape.of(1, 40, 10, 60).values(2));
        CheckResult unknown = LinearizabilityChecker.check(hard, MODEL, 20);
        assertThat(unknown).isInstanceOf(CheckResult.Unknown.class);
        assertThat(((CheckResult.Unknown) unknown).undecidedKeys()).containsExactly("k0");

        // ...and a small key with a violation, checked after it.
        List<Operation> both = new ArrayList<>(hard);
        both.add(Operation.completed(1_000, "a", "zz", Input.read(), Output.value("ghost"), 1_000_000, 1_000_001));
        CheckResult result = LinearizabilityChecker.check(both, MODEL, 20);
        assertThat(result).isInstanceOf(CheckResult.NotLinearizable.class);
        assertThat(((CheckResult.NotLinearizable) result).key()).isEqualTo("zz");
    }

    @Test
    void timeBudgetOfZeroLeavesEverythingUndecided() {
        List<Operation> history = RandomHistories.register(new Random(1), RandomHistories.Shape.of(3, 50, 10, 30));
        CheckResult result = LinearizabilityChecker.check(history, MODEL, java.time.Duration.ZERO);
        assertThat(result).isInstanceOf(CheckResult.Unknown.class);
        assertThat(((CheckResult.Unknown) result).undecidedKeys()).containsExactlyInAnyOrder("k0", "k1", "k2");
    }
}
