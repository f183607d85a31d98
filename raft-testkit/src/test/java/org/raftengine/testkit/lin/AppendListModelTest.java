package org.raftengine.testkit.lin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The append-only list: the shape of a Raft log read back by clients. */
class AppendListModelTest {

    private static final AppendListModel MODEL = new AppendListModel();

    private static boolean linearizable(HistoryBuilder h) {
        List<Operation> history = h.build();
        boolean verdict = LinearizabilityChecker.check(history, MODEL).isLinearizable();
        assertThat(verdict).as("agrees with brute force").isEqualTo(BruteForceChecker.isLinearizable(history, MODEL));
        return verdict;
    }

    @Test
    void concurrentAppendsInEitherOrder() {
        HistoryBuilder h = new HistoryBuilder();
        h.append("a", "log", "x", 2, 0, 10);
        h.append("b", "log", "y", 1, 0, 10);
        h.readList("c", "log", List.of("y", "x"), 20, 30);
        assertThat(linearizable(h)).isTrue();
    }

    @Test
    void twoAppendsCannotGetTheSamePosition() {
        HistoryBuilder h = new HistoryBuilder();
        h.append("a", "log", "x", 1, 0, 10);
        h.append("b", "log", "y", 1, 0, 10);
        assertThat(linearizable(h)).isFalse();
    }

    @Test
    void readMustRespectRealTimeOrderOfAppends() {
        HistoryBuilder h = new HistoryBuilder();
        h.add("a", "log", Input.append("x"), Output.OK, 0, 10);
        h.add("b", "log", Input.append("y"), Output.OK, 20, 30);
        h.readList("c", "log", List.of("y", "x"), 40, 50);
        assertThat(linearizable(h)).isFalse();
    }

    @Test
    void readMissingAnAcknowledgedAppendIsNotLinearizable() {
        HistoryBuilder h = new HistoryBuilder();
        h.append("a", "log", "x", 1, 0, 10);
        h.append("a", "log", "y", 2, 20, 30);
        Operation lossy = h.readList("c", "log", List.of("x"), 40, 50);
        CheckResult result = LinearizabilityChecker.check(h.build(), MODEL);
        assertThat(result).isInstanceOf(CheckResult.NotLinearizable.class);
        CheckResult.NotLinearizable bad = (CheckResult.NotLinearizable) result;
        assertThat(bad.unplaceable()).containsExactly(lossy);
        assertThat(bad.stateAfterPrefix()).isEqualTo("[x, y]");
    }

    @Test
    void indeterminateAppendsMayOrMayNotBeInTheLog() {
        HistoryBuilder h = new HistoryBuilder();
        h.append("a", "log", "x", 1, 0, 10);
        h.unknown("b", "log", Input.append("lost"), 5);
        h.unknown("b", "log", Input.append("late"), 12);
        h.append("a", "log", "y", 2, 20, 30);
        // "late" took effect after y although its client gave up long before.
        h.readList("c", "log", List.of("x", "y", "late"), 40, 50);
        assertThat(linearizable(h)).isTrue();

        h.readList("c", "log", List.of("x", "y", "late", "lost"), 60, 70);
        assertThat(linearizable(h)).isTrue();
        // Once in the log, an entry does not move nor vanish.
        h.readList("c", "log", List.of("x", "y", "late"), 80, 90);
        assertThat(linearizable(h)).isFalse();
    }

    @Test
    void twoInterchangeableIndeterminateAppendsCanBothBeNeeded() {
        // Regression: the two unknown appends commute, and each must not be skipped on the grounds
        // that the other could go first instead.
        HistoryBuilder h = new HistoryBuilder();
        h.add("a", "log", Input.append("e0"), Output.OK, 1, 2);
        h.readList("b", "log", List.of("e0"), 3, 7);
        h.unknown("c", "log", Input.append("e1"), 7);
        h.unknown("d", "log", Input.append("e1"), 7);
        h.append("e", "log", "e2", 4, 7, 7);
        assertThat(linearizable(h)).isTrue();
    }

    @Test
    void logStateIsAValueForTheMemo() {
        AppendListModel.Log a = AppendListModel.Log.EMPTY.append("x").append("y");
        AppendListModel.Log b = AppendListModel.Log.EMPTY.append("x").append("y");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).hasSameHashCodeAs(List.of("x", "y"));
        assertThat(a).isNotEqualTo(AppendListModel.Log.EMPTY.append("y").append("x"));
        assertThat(a.toList()).containsExactly("x", "y");
        assertThat(a.sameAs(List.of("x", "y"))).isTrue();
        assertThat(a.sameAs(List.of("x"))).isFalse();
    }

    @Test
    void raftLikeLogWithManyConcurrentClients() {
        // One log (no partitioning to help), ~10 operations in flight at any time.
        List<Operation> history = RandomHistories.appendList(new Random(11),
                new RandomHistories.Shape(1, 1_500, 10, 100, 0, 0, 0.3, 0.03, 0.01));
        long start = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(history, MODEL);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("append-list: %d ops on one log, %s in %d ms%n", history.size(), result.getClass()
                .getSimpleName(), millis);
        assertThat(result).isInstanceOf(CheckResult.Linearizable.class);

        List<Operation> broken = RandomHistories.mutate(new Random(12), history, 1);
        CheckResult verdict = LinearizabilityChecker.check(broken, MODEL);
        assertThat(verdict).isNotInstanceOf(CheckResult.Unknown.class);
    }
}
