package org.raftengine.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TermIndexTest {

    @Test
    void answersTermAtEveryIndexAgainstAPlainList() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            TermIndex index = new TermIndex(0, 0);
            List<Long> plain = new ArrayList<>();
            long term = 1;
            for (int op = 0; op < 200; op++) {
                if (!plain.isEmpty() && random.nextInt(10) == 0) {
                    int cut = 1 + random.nextInt(plain.size());
                    index.truncateFrom(cut);
                    plain.subList(cut - 1, plain.size()).clear();
                    term = plain.isEmpty() ? term : Math.max(term, plain.get(plain.size() - 1));
                } else {
                    if (random.nextInt(5) == 0) {
                        term += 1 + random.nextInt(3);
                    }
                    index.append(plain.size() + 1, term);
                    plain.add(term);
                }
            }
            assertThat(index.lastIndex()).isEqualTo(plain.size());
            assertThat(index.termAt(0)).isZero();
            for (int i = 1; i <= plain.size(); i++) {
                assertThat(index.termAt(i)).as("round %d index %d", round, i).isEqualTo(plain.get(i - 1));
                long first = i;
                while (first > 1 && plain.get((int) first - 2).equals(plain.get(i - 1))) {
                    first--;
                }
                assertThat(index.firstIndexOfRunAt(i)).isEqualTo(first);
            }
            for (long t : plain) {
                assertThat(index.lastIndexOfTerm(t)).isEqualTo(plain.lastIndexOf(t) + 1);
            }
        }
    }

    @Test
    void refusesGapsAndDecreasingTerms() {
        TermIndex index = new TermIndex(0, 0);
        index.append(1, 2);
        assertThatThrownBy(() -> index.append(3, 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.append(2, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.termAt(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(index.lastIndexOfTerm(5)).isZero();
    }

    @Test
    void appendRunCoversARangeAtOnce() {
        TermIndex index = new TermIndex(0, 0);
        index.appendRun(1, 1000, 3);
        index.appendRun(1001, 1001, 4);
        assertThat(index.termAt(999)).isEqualTo(3);
        assertThat(index.lastIndexOfTerm(3)).isEqualTo(1000);
        assertThat(index.lastTerm()).isEqualTo(4);
    }

    @Test
    void compactionKeepsTheTermsAfterTheBaseAndTheBasesOwn() {
        TermIndex index = new TermIndex(0, 0);
        index.appendRun(1, 10, 1);
        index.appendRun(11, 20, 2);
        index.appendRun(21, 30, 4);

        index.compactTo(15);

        assertThat(index.baseIndex()).isEqualTo(15);
        assertThat(index.termAt(15)).isEqualTo(2);
        assertThat(index.termAt(16)).isEqualTo(2);
        assertThat(index.firstIndexOfRunAt(18)).isEqualTo(16);
        assertThat(index.termAt(25)).isEqualTo(4);
        assertThat(index.lastIndexOfTerm(2)).isEqualTo(20);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> index.termAt(14))
                .isInstanceOf(IndexOutOfBoundsException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> index.truncateFrom(15))
                .isInstanceOf(IllegalStateException.class);

        index.compactTo(30);
        assertThat(index.lastIndex()).isEqualTo(30);
        assertThat(index.lastTerm()).isEqualTo(4);
        index.append(31, 5);
        assertThat(index.termAt(31)).isEqualTo(5);
    }

    @Test
    void resetToASnapshotForgetsEverything() {
        TermIndex index = new TermIndex(0, 0);
        index.appendRun(1, 10, 1);

        index.resetTo(50, 3);

        assertThat(index.lastIndex()).isEqualTo(50);
        assertThat(index.lastTerm()).isEqualTo(3);
        assertThat(index.termAt(50)).isEqualTo(3);
        index.append(51, 3);
        assertThat(index.firstIndexOfRunAt(51)).isEqualTo(51);
    }
}
