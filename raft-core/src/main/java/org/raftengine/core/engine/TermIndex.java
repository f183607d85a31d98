package org.raftengine.core.engine;

import java.util.Arrays;

/**
 * The term of every index of the log, kept as runs (first index of each term), so the protocol thread
 * answers "term at index" for the whole log without reading storage. Terms never decrease along a log,
 * so there is one run per term that has entries: a few hundred bytes for a long-lived cluster. Below the
 * runs lies the base: the last index compacted away (or covered by a snapshot) and its term.
 */
final class TermIndex {
    private long[] starts = new long[16];
    private long[] terms = new long[16];
    private int runs;
    private long lastIndex;
    private long baseIndex;
    private long baseTerm;

    /** A log that holds nothing after {@code baseIndex}, whose entry had {@code baseTerm} (0 for index 0). */
    TermIndex(long baseIndex, long baseTerm) {
        this.baseIndex = baseIndex;
        this.baseTerm = baseTerm;
        this.lastIndex = baseIndex;
    }

    /** The last index compacted away (0 if none): its term is known, its entry is not held. */
    long baseIndex() {
        return baseIndex;
    }

    long lastIndex() {
        return lastIndex;
    }

    long lastTerm() {
        return runs == 0 ? baseTerm : terms[runs - 1];
    }

    /** The term at {@code index}, for any index from the base on: 0 for index 0. */
    long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index == baseIndex) {
            return baseTerm;
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
        if (index != lastIndex + 1) {
            throw new IllegalStateException("append at " + index + " after " + lastIndex);
        }
        if (runs == 0 || terms[runs - 1] != term) {
            if (term < lastTerm()) {
                throw new IllegalStateException("term " + term + " after term " + lastTerm());
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

    /** Forgets every index from {@code index} on; never the base. */
    void truncateFrom(long index) {
        if (index <= baseIndex) {
            throw new IllegalStateException("truncation from " + index + " reaches the compacted base " + baseIndex);
        }
        while (runs > 0 && starts[runs - 1] >= index) {
            runs--;
        }
        lastIndex = Math.min(lastIndex, index - 1);
    }

    /** Compaction: {@code index}, which the log holds, becomes the base; the runs before it go. */
    void compactTo(long index) {
        if (index <= baseIndex) {
            return;
        }
        long term = termAt(index);
        // The run holding index + 1 becomes the first, starting at index + 1 at the earliest.
        if (index < lastIndex) {
            int keepFrom = runOf(index + 1);
            System.arraycopy(starts, keepFrom, starts, 0, runs - keepFrom);
            System.arraycopy(terms, keepFrom, terms, 0, runs - keepFrom);
            runs -= keepFrom;
            starts[0] = Math.max(starts[0], index + 1);
        } else {
            runs = 0;
        }
        baseIndex = index;
        baseTerm = term;
    }

    /** A snapshot replaced the whole log: nothing is held after {@code index}, whose term was {@code term}. */
    void resetTo(long index, long term) {
        runs = 0;
        baseIndex = index;
        baseTerm = term;
        lastIndex = index;
    }
}
