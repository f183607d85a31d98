package org.raftengine.core.engine;

import java.util.Arrays;

/**
 * The term of every index of the log, kept as runs (first index of each term), so the protocol thread
 * answers "term at index" for the whole log without reading storage. Terms never decrease along a log,
 * so there is one run per term that has entries: a few hundred bytes for a long-lived cluster.
 */
final class TermIndex {
    private long[] starts = new long[16];
    private long[] terms = new long[16];
    private int runs;
    private long lastIndex;

    /** Resets to a log whose last index is {@code lastIndex} and which holds no runs yet. */
    TermIndex(long lastIndex) {
        this.lastIndex = lastIndex;
    }

    long lastIndex() {
        return lastIndex;
    }

    long lastTerm() {
        return runs == 0 ? 0 : terms[runs - 1];
    }

    /** The term at {@code index}: 0 for index 0. */
    long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index > lastIndex || runs == 0 || index < starts[0]) {
            throw new IndexOutOfBoundsException("no entry at " + index + " (last " + lastIndex + ")");
        }
        return terms[runOf(index)];
    }

    /** First index of the run of terms that holds {@code index}. */
    long firstIndexOfRunAt(long index) {
        return starts[runOf(index)];
    }

    /** Last index holding {@code term}, or 0 if the log has no entry of that term. */
    long lastIndexOfTerm(long term) {
        int r = Arrays.binarySearch(terms, 0, runs, term);
        if (r < 0) {
            return 0;
        }
        return r + 1 < runs ? starts[r + 1] - 1 : lastIndex;
    }

    private int runOf(long index) {
        int r = Arrays.binarySearch(starts, 0, runs, index);
        return r >= 0 ? r : -r - 2;
    }

    /** Records an entry appended at {@code lastIndex() + 1}. */
    void append(long index, long term) {
        if (index != lastIndex + 1 && !(runs == 0 && index > lastIndex)) {
            throw new IllegalStateException("append at " + index + " after " + lastIndex);
        }
        if (runs == 0 || terms[runs - 1] != term) {
            if (runs > 0 && term < terms[runs - 1]) {
                throw new IllegalStateException("term " + term + " after term " + terms[runs - 1]);
            }
            if (runs == starts.length) {
                starts = Arrays.copyOf(starts, runs * 2);
                terms = Arrays.copyOf(terms, runs * 2);
            }
            starts[runs] = index;
            terms[runs] = term;
            runs++;
        }
        lastIndex = index;
    }

    /** Records entries {@code from..to}, all of {@code term}, appended after {@code lastIndex()}. */
    void appendRun(long from, long to, long term) {
        append(from, term);
        lastIndex = to;
    }

    /** Forgets every index from {@code index} on. */
    void truncateFrom(long index) {
        while (runs > 0 && starts[runs - 1] >= index) {
            runs--;
        }
        lastIndex = Math.min(lastIndex, index - 1);
    }
}
