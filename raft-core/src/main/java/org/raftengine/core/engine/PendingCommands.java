package org.raftengine.core.engine;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The leader's commands awaiting the outcome of their entries, keyed by log index. A ring over the window
 * from the lowest to the highest pending index: tracking and resolving, once per command, neither box an
 * index nor allocate a node, and the usual case (resolve the lowest, track past the highest) is O(1).
 * Every walk goes in index order.
 *
 * <p>The window grows on demand up to {@link #MAX_WINDOW} indexes. A command whose entry neither applies
 * nor times out while that many newer ones are tracked would stretch it further; such a straggler is
 * given to the caller to settle as indeterminate instead (always a truthful answer, as its entry may
 * still commit), rather than grow memory without bound.
 */
final class PendingCommands {
    private static final int INITIAL_CAPACITY = 1024;
    /** The widest window, in indexes: 16 MB of slots (with compressed references). */
    static final int MAX_WINDOW = 1 << 22;

    /** Index {@code i} lives in slot {@code i & (slots.length - 1)}; the window fits in the ring. */
    private PendingCommand[] slots = new PendingCommand[INITIAL_CAPACITY];
    private int count;
    /** Lowest and highest pending index; both slots are occupied while {@code count > 0}. */
    private long low;
    private long high;

    boolean isEmpty() {
        return count == 0;
    }

    int size() {
        return count;
    }

    /**
     * Tracks {@code p} at {@code index}, returning the command it displaces there, if any. Stragglers that
     * would stretch the window past {@link #MAX_WINDOW} are removed first and given to {@code dropped}.
     */
    PendingCommand put(long index, PendingCommand p, Consumer<PendingCommand> dropped) {
        if (count > 0 && (index < low || index > high)) {
            // The oldest are at the far end from the new index: below it the oldest commands of this
            // leadership, above it those of an earlier one whose entries were truncated here.
            while (count > 0 && Math.max(high, index) - Math.min(low, index) >= MAX_WINDOW) {
                dropped.accept(remove(index > high ? low : high));
            }
        }
        if (count == 0) {
            low = index;
            high = index;
        } else if (index < low || index > high) {
            long newLow = Math.min(low, index);
            long newHigh = Math.max(high, index);
            if (newHigh - newLow >= slots.length) {
                grow(newHigh - newLow + 1);
            }
            low = newLow;
            high = newHigh;
        }
        int s = slot(index);
        PendingCommand displaced = slots[s];
        slots[s] = p;
        if (displaced == null) {
            count++;
        }
        return displaced;
    }

    /** Removes and returns the command pending at {@code index}, or null. */
    PendingCommand remove(long index) {
        if (count == 0 || index < low || index > high) {
            return null;
        }
        int s = slot(index);
        PendingCommand p = slots[s];
        if (p == null) {
            return null;
        }
        slots[s] = null;
        count--;
        if (count == 0) {
            shrinkIfLarge();
        } else if (index == low) {
            do {
                low++;
            } while (slots[slot(low)] == null);
        } else if (index == high) {
            do {
                high--;
            } while (slots[slot(high)] == null);
        }
        return p;
    }

    /** Removes every command above {@code index} of a term older than {@code term}, in index order. */
    void removeOlderTermsAbove(long index, long term, Consumer<PendingCommand> removed) {
        removeIf(index + 1, p -> p.term() < term, removed);
    }

    /** Removes every command whose deadline is at or before {@code nowNanos}, in index order. */
    void removeExpired(long nowNanos, Consumer<PendingCommand> removed) {
        removeIf(Long.MIN_VALUE, p -> p.deadlineNanos() <= nowNanos, removed);
    }

    /** Removes every command at or below {@code index}, in index order. */
    void removeUpTo(long index, Consumer<PendingCommand> removed) {
        if (count > 0 && low <= index) {
            removeIf(Long.MIN_VALUE, p -> true, removed, index);
        }
    }

    /** Removes every command, in index order. */
    void removeAll(Consumer<PendingCommand> removed) {
        removeIf(Long.MIN_VALUE, p -> true, removed);
    }

    private void removeIf(long from, Predicate<PendingCommand> test, Consumer<PendingCommand> removed) {
        removeIf(from, test, removed, Long.MAX_VALUE);
    }

    private void removeIf(long from, Predicate<PendingCommand> test, Consumer<PendingCommand> removed, long to) {
        if (count == 0) {
            return;
        }
        long last = Math.min(high, to);
        for (long i = Math.max(from, low); i <= last && count > 0; i++) {
            int s = slot(i);
            PendingCommand p = slots[s];
            if (p != null && test.test(p)) {
                slots[s] = null;
                count--;
                removed.accept(p);
            }
        }
        if (count == 0) {
            shrinkIfLarge();
            return;
        }
        while (slots[slot(low)] == null) {
            low++;
        }
        while (slots[slot(high)] == null) {
            high--;
        }
    }

    private int slot(long index) {
        return (int) (index & (slots.length - 1));
    }

    private void grow(long window) {
        int capacity = slots.length;
        while (capacity < window) {
            capacity <<= 1;
        }
        PendingCommand[] bigger = new PendingCommand[capacity];
        for (long i = low; i <= high; i++) {
            PendingCommand p = slots[slot(i)];
            if (p != null) {
                bigger[(int) (i & (capacity - 1))] = p;
            }
        }
        slots = bigger;
    }

    /** An empty ring that a burst made large goes back to its first size. */
    private void shrinkIfLarge() {
        if (slots.length > INITIAL_CAPACITY * 64) {
            slots = new PendingCommand[INITIAL_CAPACITY];
        }
    }
}
