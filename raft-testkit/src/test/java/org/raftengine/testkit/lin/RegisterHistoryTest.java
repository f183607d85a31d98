package org.raftengine.testkit.lin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The classic register histories, one anomaly each. */
class RegisterHistoryTest {

    private static final KeyValueModel MODEL = new KeyValueModel();

    private static CheckResult check(HistoryBuilder h) {
        List<Operation> history = h.build();
        CheckResult result = LinearizabilityChecker.check(history, MODEL);
        // Every hand-made history here is small enough for the oracle: the two must agree.
        assertThat(result.isLinearizable())
                .as("checker agrees with brute force on %s", history)
                .isEqualTo(BruteForceChecker.isLinearizable(history, MODEL));
        return result;
    }

    @Test
    void emptyHistoryAndReadOfAFreshRegister() {
        assertThat(LinearizabilityChecker.check(List.of(), MODEL)).isEqualTo(new CheckResult.Linearizable(0, 0));
        HistoryBuilder h = new HistoryBuilder();
        h.read("a", "x", null, 0, 10);
        assertThat(check(h).isLinearizable()).isTrue();
    }

    @Test
    void sequentialWritesAndReads() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        h.read("b", "x", "1", 20, 30);
        h.write("b", "x", "2", 40, 50);
        h.read("a", "x", "2", 60, 70);
        assertThat(check(h).isLinearizable()).isTrue();
    }

    @Test
    void staleReadAfterACompletedWriteIsNotLinearizable() {
        HistoryBuilder h = new HistoryBuilder();
        Operation w1 = h.write("a", "x", "1", 0, 10);
        Operation w2 = h.write("a", "x", "2", 20, 30);
        Operation stale = h.read("b", "x", "1", 40, 50);
        CheckResult result = check(h);

        assertThat(result).isInstanceOf(CheckResult.NotLinearizable.class);
        CheckResult.NotLinearizable bad = (CheckResult.NotLinearizable) result;
        assertThat(bad.key()).isEqualTo("x");
        assertThat(bad.linearizedPrefix()).containsExactly(w1, w2);
        assertThat(bad.stateAfterPrefix()).isEqualTo("2");
        assertThat(bad.unplaceable()).containsExactly(stale);
        assertThat(bad.explanation()).contains("key x", "#3 b x read -> 1");
    }

    @Test
    void readOverlappingAWriteMaySeeEitherValue() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        h.write("a", "x", "2", 20, 60);
        h.read("b", "x", "1", 25, 30);
        h.read("c", "x", "2", 30, 40);
        assertThat(check(h).isLinearizable()).isTrue();
    }

    @Test
    void onceTheNewValueIsSeenTheOldOneCannotComeBack() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        h.write("a", "x", "2", 20, 100);
        h.read("b", "x", "2", 30, 40);
        h.read("c", "x", "1", 50, 60);
        assertThat(check(h)).isInstanceOf(CheckResult.NotLinearizable.class);
    }

    @Test
    void readOfAValueNeverWrittenIsNotLinearizable() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        Operation ghost = h.read("b", "x", "42", 5, 20);
        CheckResult result = check(h);
        assertThat(result).isInstanceOf(CheckResult.NotLinearizable.class);
        assertThat(((CheckResult.NotLinearizable) result).unplaceable()).containsExactly(ghost);
    }

    @Test
    void readersMustAgreeOnTheOrderOfConcurrentWrites() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("w1", "x", "1", 0, 100);
        h.write("w2", "x", "2", 0, 100);
        h.read("a", "x", "1", 10, 20);
        h.read("a", "x", "2", 30, 40);
        h.read("b", "x", "2", 10, 20);
        h.read("b", "x", "1", 30, 40);
        assertThat(check(h)).isInstanceOf(CheckResult.NotLinearizable.class);

        HistoryBuilder agreeing = new HistoryBuilder();
        agreeing.write("w1", "x", "1", 0, 100);
        agreeing.write("w2", "x", "2", 0, 100);
        agreeing.read("a", "x", "1", 10, 20);
        agreeing.read("a", "x", "2", 30, 40);
        agreeing.read("b", "x", "1", 10, 20);
        agreeing.read("b", "x", "2", 30, 40);
        assertThat(check(agreeing).isLinearizable()).isTrue();
    }

    @Test
    void indeterminateWriteMayExplainALaterRead() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        h.unknown("b", "x", Input.write("2"), 20);
        h.read("c", "x", "1", 30, 40);
        // Taking effect long after the client gave up is allowed: messages can sit in queues.
        h.read("c", "x", "2", 1_000, 1_010);
        assertThat(check(h).isLinearizable()).isTrue();
    }

    @Test
    void indeterminateWriteTakesEffectAtMostOnce() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        h.unknown("b", "x", Input.write("2"), 20);
        h.read("c", "x", "2", 30, 40);
        h.write("a", "x", "3", 50, 60);
        h.read("c", "x", "2", 70, 80);
        assertThat(check(h)).isInstanceOf(CheckResult.NotLinearizable.class);
    }

    @Test
    void indeterminateWriteThatWasNeverObservedIsFine() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        h.unknown("b", "x", Input.write("2"), 20);
        h.read("c", "x", "1", 30, 40);
        h.read("c", "x", "1", 100, 110);
        h.read("c", "x", "1", 10_000, 10_010);
        assertThat(check(h).isLinearizable()).isTrue();
    }

    @Test
    void readCannotObserveAWriteInvokedAfterTheReadCompleted() {
        HistoryBuilder h = new HistoryBuilder();
        h.read("a", "x", "1", 0, 10);
        h.write("b", "x", "1", 20, 30);
        assertThat(check(h)).isInstanceOf(CheckResult.NotLinearizable.class);

        HistoryBuilder indeterminate = new HistoryBuilder();
        indeterminate.read("a", "x", "1", 0, 10);
        indeterminate.unknown("b", "x", Input.write("1"), 20);
        assertThat(check(indeterminate)).isInstanceOf(CheckResult.NotLinearizable.class);
    }

    @Test
    void touchingIntervalsAreConcurrent() {
        // A response and an invocation at the same instant: either order is possible, so no alarm.
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "1", 0, 10);
        h.read("b", "x", null, 10, 20);
        assertThat(check(h).isLinearizable()).isTrue();

        HistoryBuilder apart = new HistoryBuilder();
        apart.write("a", "x", "1", 0, 10);
        apart.read("b", "x", null, 11, 20);
        assertThat(check(apart).isLinearizable()).isFalse();
    }

    @Test
    void failedOperationsHadNoEffect() {
        HistoryBuilder h = new HistoryBuilder();
        h.add("a", "x", Input.write("1"), Output.FAILED, 0, 10);
        h.read("b", "x", null, 20, 30);
        assertThat(check(h).isLinearizable()).isTrue();

        HistoryBuilder seen = new HistoryBuilder();
        seen.add("a", "x", Input.write("1"), Output.FAILED, 0, 10);
        seen.read("b", "x", "1", 20, 30);
        assertThat(check(seen).isLinearizable()).isFalse();
    }

    @Test
    void initialValueOfTheModelIsHonoured() {
        HistoryBuilder h = new HistoryBuilder();
        h.read("a", "x", "0", 0, 10);
        List<Operation> history = h.build();
        assertThat(LinearizabilityChecker.check(history, new KeyValueModel("0")).isLinearizable()).isTrue();
        assertThat(LinearizabilityChecker.check(history, MODEL).isLinearizable()).isFalse();
    }

    @Test
    void indeterminateOperationHasInfiniteResponseTime() {
        Operation op = new Operation(1, "a", "x", Input.write("1"), Output.UNKNOWN, 5, 7);
        assertThat(op.responseTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(op.isIndeterminate()).isTrue();
    }
}
