package org.raftengine.testkit.lin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CasHistoryTest {

    private static final KeyValueModel MODEL = new KeyValueModel();

    private static boolean linearizable(HistoryBuilder h) {
        List<Operation> history = h.build();
        boolean verdict = LinearizabilityChecker.check(history, MODEL).isLinearizable();
        assertThat(verdict).as("agrees with brute force").isEqualTo(BruteForceChecker.isLinearizable(history, MODEL));
        return verdict;
    }

    @Test
    void successfulCasIsSeenByALaterRead() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "0", 0, 10);
        h.cas("b", "x", "0", "1", true, 20, 30);
        h.read("c", "x", "1", 40, 50);
        assertThat(linearizable(h)).isTrue();
    }

    @Test
    void casOnAnAbsentRegister() {
        HistoryBuilder h = new HistoryBuilder();
        h.cas("a", "x", null, "1", true, 0, 10);
        h.cas("b", "x", null, "2", false, 20, 30);
        h.read("c", "x", "1", 40, 50);
        assertThat(linearizable(h)).isTrue();
    }

    @Test
    void twoConcurrentCasFromTheSameValueCannotBothSucceed() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "0", 0, 10);
        h.cas("b", "x", "0", "1", true, 20, 40);
        h.cas("c", "x", "0", "2", true, 20, 40);
        assertThat(linearizable(h)).isFalse();

        HistoryBuilder oneWins = new HistoryBuilder();
        oneWins.write("a", "x", "0", 0, 10);
        oneWins.cas("b", "x", "0", "1", true, 20, 40);
        oneWins.cas("c", "x", "0", "2", false, 20, 40);
        oneWins.read("d", "x", "1", 50, 60);
        assertThat(linearizable(oneWins)).isTrue();
    }

    @Test
    void failedCasNeedsADifferentValue() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "0", 0, 10);
        h.cas("b", "x", "0", "1", false, 20, 30);
        assertThat(linearizable(h)).isFalse();

        HistoryBuilder concurrentWrite = new HistoryBuilder();
        concurrentWrite.write("a", "x", "0", 0, 10);
        concurrentWrite.write("c", "x", "5", 15, 35);
        concurrentWrite.cas("b", "x", "0", "1", false, 20, 30);
        assertThat(linearizable(concurrentWrite)).isTrue();
    }

    @Test
    void indeterminateCasMayExplainARead() {
        HistoryBuilder h = new HistoryBuilder();
        h.write("a", "x", "0", 0, 10);
        h.unknown("b", "x", Input.cas("0", "1"), 20);
        h.read("c", "x", "1", 100, 110);
        assertThat(linearizable(h)).isTrue();

        // ...but only if the value it expected was there when it took effect.
        HistoryBuilder stale = new HistoryBuilder();
        stale.write("a", "x", "0", 0, 10);
        stale.write("a", "x", "7", 12, 15);
        stale.unknown("b", "x", Input.cas("0", "1"), 20);
        stale.read("c", "x", "1", 100, 110);
        assertThat(linearizable(stale)).isFalse();
    }

    @Test
    void casChainFromManyClients() {
        // A counter incremented with CAS by four clients, all concurrent; each success builds on the last.
        HistoryBuilder h = new HistoryBuilder();
        h.write("init", "x", "0", 0, 1);
        h.cas("a", "x", "0", "1", true, 10, 100);
        h.cas("b", "x", "0", "1", false, 10, 100);
        h.cas("c", "x", "1", "2", true, 10, 100);
        h.cas("d", "x", "2", "3", true, 10, 100);
        h.read("e", "x", "3", 110, 120);
        assertThat(linearizable(h)).isTrue();
        h.read("e", "x", "2", 130, 140);
        assertThat(linearizable(h)).isFalse();
    }
}
