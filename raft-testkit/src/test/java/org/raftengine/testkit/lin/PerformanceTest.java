package org.raftengine.testkit.lin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Timing on realistic sizes. The bounds are loose on purpose (a shared, noisy machine): they catch an
 * exponential blow-up, not a few percent. Timings are printed for the record.
 */
class PerformanceTest {

    private static final KeyValueModel MODEL = new KeyValueModel();

    private static CheckResult timed(String label, List<Operation> history) {
        long start = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(history, MODEL);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("%s: %d ops, %s, %d steps, %d ms%n", label, history.size(),
                result.getClass().getSimpleName(), result.steps(), millis);
        assertThat(millis).as(label).isLessThan(10_000);
        return result;
    }

    @Test
    void fiveThousandOperationsOverFiftyKeys() {
        // 100 ops per key, points 10 apart, stretched by up to 50 each side: ~5 concurrent per key.
        List<Operation> history = RandomHistories.register(new Random(2024), RandomHistories.Shape.of(50, 100, 10, 50));
        assertThat(history.size()).isGreaterThanOrEqualTo(5_000);
        // Warm the JIT once, so the printed figure is the steady-state one.
        LinearizabilityChecker.check(history, MODEL);
        assertThat(timed("5000 ops / 50 keys", history)).isInstanceOf(CheckResult.Linearizable.class);

        List<Operation> broken = new ArrayList<>(history);
        Operation last = broken.stream().filter(op -> op.key().equals("k31") && !op.isIndeterminate())
                .reduce((a, b) -> b.responseTime() > a.responseTime() ? b : a).orElseThrow();
        broken.add(Operation.completed(99_999, "late", "k31", Input.read(), Output.value("k31-0-stale"),
                last.responseTime() + 1, last.responseTime() + 2));
        CheckResult bad = timed("5000 ops / 50 keys, one bad read", broken);
        assertThat(bad).isInstanceOf(CheckResult.NotLinearizable.class);
        assertThat(((CheckResult.NotLinearizable) bad).key()).isEqualTo("k31");
    }

    @Test
    void smallValueDomainAndManyIndeterminateOperations() {
        // Few distinct values make many orders plausible; 10% unknown outcomes keep options open.
        List<Operation> history = RandomHistories.register(new Random(5),
                RandomHistories.Shape.of(50, 100, 10, 50).values(3).uncertainty(0.1, 0.05));
        assertThat(timed("5000 ops / 50 keys / 3 values / 10% unknown", history))
                .isInstanceOf(CheckResult.Linearizable.class);
    }

    @Test
    void tensOfConcurrentOperationsOnOneKey() {
        // 2000 ops on one register, ~20 in flight at any time.
        List<Operation> history = RandomHistories.register(new Random(9), RandomHistories.Shape.of(1, 2_000, 10, 200));
        assertThat(timed("2000 ops / 1 key / ~20 concurrent", history)).isInstanceOf(CheckResult.Linearizable.class);
    }

    @Test
    void violationsAreFoundQuicklyDespiteUnobservedIndeterminateWrites() {
        // Thirty writes whose clients gave up and that nobody ever saw, then a stale read. Each lost
        // write could be slotted anywhere: the memo's subsumption keeps that from multiplying.
        HistoryBuilder h = new HistoryBuilder();
        long t = 0;
        for (int i = 0; i < 30; i++) {
            h.write("a", "x", "w" + i, t, t + 5);
            h.unknown("b" + i, "x", Input.write("lost" + i), t + 1);
            h.read("c", "x", "w" + i, t + 6, t + 8);
            t += 10;
        }
        Operation stale = h.read("c", "x", "w3", t, t + 5);
        CheckResult result = timed("30 lost writes then a stale read", h.build());
        assertThat(result).isInstanceOf(CheckResult.NotLinearizable.class);
        assertThat(((CheckResult.NotLinearizable) result).unplaceable()).containsExactly(stale);
        assertThat(result.steps()).isLessThan(100_000);
    }
}
