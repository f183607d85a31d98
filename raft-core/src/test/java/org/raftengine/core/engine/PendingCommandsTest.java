package org.raftengine.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PendingCommandsTest {

    private static PendingCommand command(long term, long deadline) {
        return new PendingCommand(term, null, "f", 1, deadline);
    }

    /** The ring against the TreeMap it replaces: same contents, same answers, same order of removal. */
    @Test
    void behavesLikeASortedMapUnderRandomOperations() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            PendingCommands ring = new PendingCommands();
            TreeMap<Long, PendingCommand> model = new TreeMap<>();
            long next = 1 + random.nextInt(5_000);
            for (int step = 0; step < 3_000; step++) {
                int op = random.nextInt(100);
                if (op < 45) {
                    long index = random.nextInt(20) == 0 ? Math.max(1, next - random.nextInt(3_000)) : next++;
                    if (random.nextInt(50) == 0) {
                        next += random.nextInt(5_000); // a jump: the window grows
                    }
                    PendingCommand p = command(1 + random.nextInt(5), random.nextInt(1_000));
                    PendingCommand displaced = ring.put(index, p, dropped -> {
                        throw new AssertionError("no straggler expected");
                    });
                    assertThat(displaced).isSameAs(model.put(index, p));
                } else if (op < 80) {
                    long index = model.isEmpty() || random.nextBoolean() ? 1 + random.nextInt((int) next)
                            : model.firstKey();
                    assertThat(ring.remove(index)).isSameAs(model.remove(index));
                } else if (op < 90) {
                    long index = 1 + random.nextInt((int) next);
                    long term = 1 + random.nextInt(6);
                    List<PendingCommand> expected = new ArrayList<>();
                    for (Iterator<PendingCommand> it = model.tailMap(index, false).values().iterator(); it.hasNext(); ) {
                        PendingCommand p = it.next();
                        if (p.term() < term) {
                            it.remove();
                            expected.add(p);
                        }
                    }
                    List<PendingCommand> removed = new ArrayList<>();
                    ring.removeOlderTermsAbove(index, term, removed::add);
                    assertThat(removed).containsExactlyElementsOf(expected);
                } else if (op < 99) {
                    long now = random.nextInt(300);
                    List<PendingCommand> expected = new ArrayList<>();
                    for (Iterator<PendingCommand> it = model.values().iterator(); it.hasNext(); ) {
                        PendingCommand p = it.next();
                        if (p.deadlineNanos() <= now) {
                            it.remove();
                            expected.add(p);
                        }
                    }
                    List<PendingCommand> removed = new ArrayList<>();
                    ring.removeExpired(now, removed::add);
                    assertThat(removed).containsExactlyElementsOf(expected);
                } else {
                    List<PendingCommand> removed = new ArrayList<>();
                    ring.removeAll(removed::add);
                    assertThat(removed).containsExactlyElementsOf(model.values());
                    model.clear();
                }
                assertThat(ring.size()).isEqualTo(model.size());
                assertThat(ring.isEmpty()).isEqualTo(model.isEmpty());
            }
            List<PendingCommand> rest = new ArrayList<>();
            ring.removeAll(rest::add);
            assertThat(rest).containsExactlyElementsOf(model.values());
        }
    }

    @Test
    void aStragglerBeyondTheWidestWindowIsGivenBackToSettle() {
        PendingCommands ring = new PendingCommands();
        PendingCommand old = command(1, 2);
        PendingCommand older = command(1, 1);
        ring.put(10, older, p -> { });
        ring.put(11, old, p -> { });
        List<PendingCommand> dropped = new ArrayList<>();
        PendingCommand fresh = command(2, 3);
        long far = 10 + PendingCommands.MAX_WINDOW;
        ring.put(far, fresh, dropped::add);
        // Index 10 is dropped to make room; 11..far is exactly the widest window.
        assertThat(dropped).containsExactly(older);
        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.remove(11)).isSameAs(old);
        assertThat(ring.remove(far)).isSameAs(fresh);

        // Below the window: the highest ones (an earlier leadership's, truncated here) make room.
        ring.put(far, fresh, p -> { });
        dropped.clear();
        PendingCommand low = command(3, 4);
        ring.put(far - PendingCommands.MAX_WINDOW, low, dropped::add);
        assertThat(dropped).containsExactly(fresh);
        assertThat(ring.size()).isEqualTo(1);
        assertThat(ring.remove(far - PendingCommands.MAX_WINDOW)).isSameAs(low);
        assertThat(ring.isEmpty()).isTrue();
    }

    @Test
    void keepsIndexOrderAcrossGrowthAndWrapAround() {
        PendingCommands ring = new PendingCommands();
        Map<Long, PendingCommand> byIndex = new TreeMap<>();
        for (long i = 1; i <= 10_000; i++) {
            PendingCommand p = command(1, i);
            ring.put(i, p, d -> { });
            byIndex.put(i, p);
            if (i % 3 == 0) {
                assertThat(ring.remove(i - 2)).isSameAs(byIndex.remove(i - 2));
            }
        }
        List<PendingCommand> removed = new ArrayList<>();
        ring.removeExpired(5_000, removed::add);
        assertThat(removed).containsExactlyElementsOf(
                byIndex.values().stream().filter(p -> p.deadlineNanos() <= 5_000).toList());
    }
}
