package org.raftengine.testkit.lin;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * The search for a linearization of one partition: Wing &amp; Gong's depth-first search as improved by
 * Lowe, on the history laid out as a doubly linked list of call and return entries in time order.
 *
 * <p>A configuration is the set of operations linearized so far and the model state they lead to.
 * The operations that may come next are those whose call precedes the first return still in the list
 * (the "frontier"): linearization happens just in time, only in the window the earliest outstanding
 * response leaves, and once every candidate has been tried the configuration is a dead end: the
 * operation of that first return can no longer be placed. Dead ends are remembered, so that a
 * configuration reached again by another order is not searched again. Linearizing an operation
 * unlinks its entries, and backtracking relinks them in reverse order (which is why removed entries
 * keep their links).
 *
 * <p>Beyond that scheme:
 * <ul>
 *   <li>Candidates are tried in order of the midpoint of their interval, the best guess at their
 *       linearization point, so that on linearizable histories the first guess is usually right.
 *   <li>A completed read-only operation ({@link Model#isReadOnly}) the model accepts is placed at
 *       once, without trying alternatives (see {@link #enter}).
 *   <li>A configuration is abandoned at once if {@link Model#isHopeless} says an operation that the
 *       model rejects now can never be placed, instead of when its response is reached. Checked
 *       are the frontier, the operations a few responses further on, and a few operations that
 *       were found hopeless before (a form of learning from conflicts); and, once at the start,
 *       every operation against the initial state. This is what keeps tens of concurrent
 *       operations per key tractable, and finds a read of a value never written at once.
 *   <li>Indeterminate operations have no return entry: they never force anything and may stay
 *       unlinearized forever, so the search succeeds as soon as every completed operation is
 *       linearized. They are tried last, only if they make a difference to another candidate (see
 *       {@link #worthAssuming}), and the memo uses the fact that assuming one only removes options:
 *       if (C, P, s) failed, where C and P are the completed and the indeterminate operations
 *       linearized, then so does (C, P', s) for every P' containing P.
 * </ul>
 *
 * <p>Not thread-safe; one instance checks one partition once.
 */
final class PartitionSearch<S> {

    /** How the search ended. */
    enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXHAUSTED }

    /** A call or return of one operation, as a node of the history list. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        /** For a call: its return entry, null for an indeterminate operation. */
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    /**
     * A configuration in the memo: the completed operations linearized (as a bitset with its leading
     * all-ones words cut off, since the linearized set is nearly always "everything up to about here
     * plus a few", which keeps entries small for long histories) and the model state.
     */
    private static final class Config {
        final int fullWords;
        final long[] tail;
        final Object state;
        final int hash;

        Config(int fullWords, long[] tail, Object state) {
            this.fullWords = fullWords;
            this.tail = tail;
            this.state = state;
            this.hash = (31 * fullWords + Arrays.hashCode(tail)) * 31 + state.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.hash == hash && c.fullWords == fullWords
                    && Arrays.equals(c.tail, tail) && c.state.equals(state);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final long[] NO_BITS = new long[0];
    private static final Entry[] NO_ENTRIES = new Entry[0];

    private final Model<S> model;
    private final String key;
    private final Operation[] ops;
    private final boolean[] indeterminate;
    /** Completed operations that never change the state ({@link Model#isReadOnly}). */
    private final boolean[] readOnly;
    /** Index of each operation in its bitset: completed ones in {@link #done}, others in {@link #used}. */
    private final int[] bit;
    /** Twice the midpoint of each operation's interval: the order candidates are tried in. */
    private final long[] priority;
    private final int completedCount;
    private final Entry head = new Entry(-1, true, Long.MIN_VALUE);

    /** Completed operations linearized. */
    private final long[] done;
    private final long lastWordMask;
    /** Number of leading words of {@link #done} that are all ones. */
    private int fullWords;
    /** Indeterminate operations linearized. */
    private final long[] used;

    /**
     * Configurations known to fail: for each (completed set, state), the indeterminate sets with which
     * it failed, as a {@code long[]} or, rarely, a list of them.
     */
    private final Map<Config, Object> failed = new HashMap<>();

    // The configurations on the current path, by depth (0: nothing linearized yet).
    private final Object[] frameState;
    private final Config[] frameConfig;
    /** The call entry of the operation linearized to get from depth d-1 to depth d. */
    private final Entry[] frameVia;
    /** The frontier of each configuration, candidates first, in the order they are tried. */
    private final Entry[][] frameFrontier;
    /** The state each frontier operation leads to from the configuration, null if impossible. */
    private final Object[][] frameAlone;
    private final int[] frameCandidates;
    private final int[] frameCursor;
    /** A frontier operation that can never be placed, making the configuration a dead end. */
    private final Entry[] frameHopeless;
    /** Scratch for {@link #findHopeless}: which frontier operations the model rejects. */
    private final boolean[] rejectedNow;
    /** Scratch for {@link #findHopeless}: position among the calls walked, -1 if not to check. */
    private final int[] markIndex;
    private final List<Operation> scratchCalls = new ArrayList<>();
    private final List<Entry> scratchMarked = new ArrayList<>();
    /** Operations recently found hopeless, checked at every configuration (see {@link #watch}). */
    private final Entry[] watched = new Entry[WATCHED];
    private final boolean[] isWatched;
    private int watchCount;
    /** The call entry of each operation. */
    private final Entry[] callEntry;

    private long steps;
    private int bestDepth = -1;
    private List<Operation> bestPrefix = List.of();
    private String bestState = "";
    private List<Operation> bestUnplaceable = List.of();

    PartitionSearch(Model<S> model, String key, List<Operation> partition) {
        this.model = model;
        this.key = key;
        // Numbered in invocation order so that the linearized set is a dense prefix of the bitset.
        this.ops = partition.stream()
                .sorted(Comparator.comparingLong(Operation::invokeTime).thenComparingLong(Operation::responseTime))
                .toArray(Operation[]::new);
        int n = ops.length;
        indeterminate = new boolean[n];
        readOnly = new boolean[n];
        bit = new int[n];
        priority = new long[n];
        callEntry = new Entry[n];
        int completed = 0;
        int open = 0;
        List<Entry> entries = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            indeterminate[i] = ops[i].isIndeterminate();
            readOnly[i] = !indeterminate[i] && model.isReadOnly(ops[i]);
            bit[i] = indeterminate[i] ? open++ : completed++;
            priority[i] = indeterminate[i] ? Long.MAX_VALUE : ops[i].invokeTime() / 2 + ops[i].responseTime() / 2;
            Entry call = new Entry(i, true, ops[i].invokeTime());
            callEntry[i] = call;
            entries.add(call);
            if (!indeterminate[i]) {
                call.match = new Entry(i, false, ops[i].responseTime());
                entries.add(call.match);
            }
        }
        completedCount = completed;
        done = new long[(completed + 63) >>> 6];
        lastWordMask = completed % 64 == 0 ? -1L : (1L << (completed % 64)) - 1;
        used = open == 0 ? NO_BITS : new long[(open + 63) >>> 6];
        // Calls before returns at equal times: touching intervals count as concurrent.
        entries.sort(Comparator.comparingLong((Entry e) -> e.time)
                .thenComparing(e -> e.call ? 0 : 1)
                .thenComparingInt(e -> e.op));
        Entry last = head;
        for (Entry e : entries) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        frameState = new Object[n + 1];
        frameConfig = new Config[n + 1];
        frameVia = new Entry[n + 1];
        frameFrontier = new Entry[n + 1][];
        frameAlone = new Object[n + 1][];
        frameCandidates = new int[n + 1];
        frameCursor = new int[n + 1];
        frameHopeless = new Entry[n + 1];
        rejectedNow = new boolean[n];
        isWatched = new boolean[n];
        markIndex = new int[n];
        Arrays.fill(markIndex, -1);
    }

    long steps() {
        return steps;
    }

    /**
     * Runs the search.
     *
     * @param maxSteps      give up after this many steps
     * @param timed         whether there is a deadline
     * @param deadlineNanos if timed, give up when {@link System#nanoTime()} passes this
     */
    Verdict run(long maxSteps, boolean timed, long deadlineNanos) {
        int remaining = completedCount;
        if (remaining == 0) {
            return Verdict.LINEARIZABLE;
        }
        int depth = 0;
        int completedDepth = 0;
        S initial = model.initialState();
        frameState[0] = initial;
        // First, every operation against the initial state with everything else still to come: an
        // operation hopeless even then (a read of a value nobody wrote before it returned) settles
        // the matter at once, however long the history.
        Entry doomed = findHopeless(initial, Integer.MAX_VALUE, false);
        if (doomed != null) {
            frameHopeless[0] = doomed;
            remember(0, 0, initial);
            return Verdict.NOT_LINEARIZABLE;
        }
        enter(0, initial);
        int sinceClock = 0;
        while (true) {
            if (steps > maxSteps) {
                return Verdict.BUDGET_EXHAUSTED;
            }
            // The clock is not free: look at it every so often.
            if (timed && ++sinceClock == 256) {
                sinceClock = 0;
                if (System.nanoTime() - deadlineNanos >= 0) {
                    return Verdict.BUDGET_EXHAUSTED;
                }
            }
            @SuppressWarnings("unchecked")
            S state = (S) frameState[depth];
            if (frameCursor[depth] < frameCandidates[depth]) {
                int index = frameCursor[depth]++;
                Entry candidate = frameFrontier[depth][index];
                @SuppressWarnings("unchecked")
                S next = (S) frameAlone[depth][index];
                int i = candidate.op;
                steps++;
                if (indeterminate[i] && !worthAssuming(depth, candidate, next)) {
                    continue;
                }
                setBit(i);
                Config config = snapshot(next);
                if (knownToFail(config)) {
                    clearBit(i);
                    continue;
                }
                lift(candidate);
                if (!indeterminate[i]) {
                    completedDepth++;
                    if (--remaining == 0) {
                        return Verdict.LINEARIZABLE;
                    }
                }
                depth++;
                frameVia[depth] = candidate;
                frameState[depth] = next;
                frameConfig[depth] = config;
                enter(depth, next);
                continue;
            }
            // A dead end. Keep the deepest in completed operations; among those, the one with the
            // fewest assumed indeterminate ones.
            if (completedDepth > bestDepth || (completedDepth == bestDepth && depth < bestPrefix.size())) {
                remember(depth, completedDepth, state);
            }
            if (frameConfig[depth] == null) {
                frameConfig[depth] = snapshot(state);
            }
            recordFailure(frameConfig[depth]);
            if (depth == 0) {
                return Verdict.NOT_LINEARIZABLE;
            }
            Entry undone = frameVia[depth];
            frameState[depth] = null;
            frameConfig[depth] = null;
            frameFrontier[depth] = null;
            frameAlone[depth] = null;
            frameHopeless[depth] = null;
            depth--;
            unlift(undone);
            clearBit(undone.op);
            if (!indeterminate[undone.op]) {
                completedDepth--;
                remaining++;
            }
        }
    }

    /**
     * Prepares the configuration at {@code depth}: its frontier, what each frontier operation leads
     * to, the candidates in the order to try them, and whether some operation is hopeless.
     */
    private void enter(int depth, S state) {
        int size = 0;
        for (Entry e = head.next; e != null && e.call; e = e.next) {
            size++;
        }
        Entry[] frontier = size == 0 ? NO_ENTRIES : new Entry[size];
        Object[] alone = new Object[size];
        // Operations the model accepts at the front, those it rejects at the back.
        int accepted = 0;
        int rejectedFrom = size;
        for (Entry e = head.next; e != null && e.call; e = e.next) {
            steps++;
            Optional<S> next = model.step(state, ops[e.op]);
            if (next.isPresent()) {
                frontier[accepted] = e;
                alone[accepted++] = next.get();
            } else {
                frontier[--rejectedFrom] = e;
                rejectedNow[e.op] = true;
            }
        }
        frameFrontier[depth] = frontier;
        frameAlone[depth] = alone;
        frameCursor[depth] = 0;
        Entry hopeless = findHopeless(state, HORIZON, true);
        for (int r = rejectedFrom; r < size; r++) {
            rejectedNow[frontier[r].op] = false;
        }
        frameHopeless[depth] = hopeless;
        if (hopeless != null) {
            watch(hopeless);
            frameCandidates[depth] = 0;
            return;
        }
        // A read-only operation the model accepts now can go first without loss of generality: in
        // any linearization from here, moving it to the front changes no state, and no real-time
        // order forbids it (it is in the frontier: invoked before every pending response). So it
        // is the only candidate; reads then never multiply the configurations to search.
        for (int k = 0; k < accepted; k++) {
            if (readOnly[frontier[k].op]) {
                Entry e = frontier[k];
                Object a = alone[k];
                frontier[k] = frontier[0];
                alone[k] = alone[0];
                frontier[0] = e;
                alone[0] = a;
                frameCandidates[depth] = 1;
                return;
            }
        }
        // Order: completed operations by the midpoint of their interval. An indeterminate one that
        // lets the model accept a rejected completed operation goes with that operation; the others
        // go last, as they are only worth assuming when nothing else works.
        long[] order = new long[accepted];
        for (int k = 0; k < accepted; k++) {
            int op = frontier[k].op;
            if (!indeterminate[op]) {
                order[k] = priority[op];
                continue;
            }
            order[k] = Long.MAX_VALUE;
            @SuppressWarnings("unchecked")
            S assumed = (S) alone[k];
            for (int r = rejectedFrom; r < size; r++) {
                int c = frontier[r].op;
                if (!indeterminate[c] && priority[c] < order[k]) {
                    steps++;
                    if (model.step(assumed, ops[c]).isPresent()) {
                        order[k] = priority[c];
                    }
                }
            }
        }
        // Insertion sort, stable: frontiers are small.
        for (int k = 1; k < accepted; k++) {
            long o = order[k];
            Entry e = frontier[k];
            Object a = alone[k];
            int j = k;
            while (j > 0 && order[j - 1] > o) {
                order[j] = order[j - 1];
                frontier[j] = frontier[j - 1];
                alone[j] = alone[j - 1];
                j--;
            }
            order[j] = o;
            frontier[j] = e;
            alone[j] = a;
        }
        frameCandidates[depth] = accepted;
    }

    /**
     * How many responses past the frontier {@link #findHopeless} looks. A wrong choice is often
     * contradicted only by an operation invoked a little later; looking too far costs more than it
     * finds.
     */
    private static final int HORIZON = 8;
    private static final int WATCHED = 16;

    /**
     * Looks for a completed operation that the model rejects in {@code state} and says can never be
     * placed: among the frontier (whose rejections are flagged in {@link #rejectedNow} if
     * {@code flagged}), the operations invoked before the next {@code horizon} responses, because a
     * wrong choice is often only contradicted by an operation a little further on, and the watched
     * operations, however far, because they were hopeless before and so are likely to be again.
     */
    private Entry findHopeless(S state, int horizon, boolean flagged) {
        List<Operation> calls = scratchCalls;
        List<Entry> marked = scratchMarked;
        calls.clear();
        marked.clear();
        int watchedAhead = 0;
        for (int w = 0; w < watchCount; w++) {
            if (!isLinearized(watched[w].op)) {
                watchedAhead++;
            }
        }
        int returns = 0;
        int open = 0;
        Entry found = null;
        boolean frontier = true;
        for (Entry e = head.next; e != null; e = e.next) {
            if (e.call) {
                boolean watchedOp = isWatched[e.op];
                if (watchedOp) {
                    watchedAhead--;
                }
                if ((returns < horizon || watchedOp) && !indeterminate[e.op]) {
                    boolean rejected;
                    if (frontier && flagged) {
                        rejected = rejectedNow[e.op];
                    } else {
                        steps++;
                        rejected = model.step(state, ops[e.op]).isEmpty();
                    }
                    if (rejected) {
                        markIndex[e.op] = calls.size();
                        marked.add(e);
                        open++;
                    }
                }
                calls.add(ops[e.op]);
                continue;
            }
            frontier = false;
            int at = markIndex[e.op];
            if (at >= 0) {
                markIndex[e.op] = -1;
                open--;
                steps++;
                if (model.isHopeless(state, ops[e.op], new Excluding(calls, at))) {
                    found = callEntry[e.op];
                    break;
                }
            }
            returns++;
            if (returns >= horizon && open == 0 && watchedAhead == 0) {
                break;
            }
        }
        for (Entry m : marked) {
            markIndex[m.op] = -1;
        }
        return found;
    }

    /**
     * Makes a hopeless operation the most recently useful watched one, evicting the least recently
     * useful if full. A cheap form of learning from conflicts: an operation a whole region of the
     * search founders on (a stale read late in a long history, say) then cuts every configuration
     * it condemns, not only those that come within the horizon of it; and it stays watched for as
     * long as it keeps doing so.
     */
    private void watch(Entry call) {
        int at = -1;
        if (isWatched[call.op]) {
            for (int w = 0; w < watchCount; w++) {
                if (watched[w] == call) {
                    at = w;
                }
            }
        } else if (watchCount < watched.length) {
            watched[watchCount] = call;
            at = watchCount++;
        } else {
            isWatched[watched[0].op] = false;
            at = 0;
        }
        // Shift towards the front, so that the most recently useful is last and evicted last.
        System.arraycopy(watched, at + 1, watched, at, watchCount - at - 1);
        watched[watchCount - 1] = call;
        isWatched[call.op] = true;
    }

    private boolean isLinearized(int op) {
        int b = bit[op];
        long word = indeterminate[op] ? used[b >>> 6] : done[b >>> 6];
        return (word & (1L << b)) != 0;
    }

    /**
     * Whether to try indeterminate operation {@code p} next from the configuration at {@code depth},
     * where it leads to {@code reached}. Only if it makes a difference to some other frontier
     * operation c. It makes none if, for every c, either c is impossible after p, or p then c
     * reaches what c alone reaches (c absorbs p, as a write absorbs an earlier write), or p then c
     * reaches what c then p reaches (they commute) and c is completed or comes before p in a fixed
     * order. Then a linearization starting with p can be rewritten to start with c instead, with
     * fewer assumed operations, or with the assumed ones later, or (for two commuting assumed
     * operations, the tie the fixed order breaks: without it each would defer to the other) in that
     * order; the rewriting cannot go on for ever, and the search tries c from here anyway. The
     * justification lies within the subtree of this configuration, so that its failure, if it
     * fails, is a true one for the memo. Without this, k unobserved indeterminate writes would be
     * tried in all their 2^k subsets.
     */
    private boolean worthAssuming(int depth, Entry p, S reached) {
        Entry[] frontier = frameFrontier[depth];
        Object[] alone = frameAlone[depth];
        for (int k = 0; k < frontier.length; k++) {
            Entry c = frontier[k];
            if (c == p) {
                continue;
            }
            steps++;
            Optional<S> afterP = model.step(reached, ops[c.op]);
            if (afterP.isEmpty()) {
                continue;
            }
            @SuppressWarnings("unchecked")
            S cAlone = (S) alone[k];
            if (cAlone == null) {
                return true;
            }
            if (cAlone.equals(afterP.get())) {
                continue;
            }
            if (indeterminate[c.op] && c.op > p.op) {
                return true;
            }
            Optional<S> swapped = model.step(cAlone, ops[p.op]);
            if (swapped.isEmpty() || !swapped.get().equals(afterP.get())) {
                return true;
            }
        }
        return false;
    }

    /** The verdict for a partition found not linearizable, from the deepest dead end reached. */
    CheckResult.NotLinearizable explanation(long totalSteps) {
        return new CheckResult.NotLinearizable(key, bestPrefix, bestState, bestUnplaceable, totalSteps);
    }

    private void remember(int depth, int completedDepth, S state) {
        bestDepth = completedDepth;
        List<Operation> prefix = new ArrayList<>(depth);
        for (int d = 1; d <= depth; d++) {
            prefix.add(ops[frameVia[d].op]);
        }
        bestPrefix = prefix;
        bestState = model.describe(state);
        List<Operation> unplaceable = new ArrayList<>();
        Entry hopeless = frameHopeless[depth];
        if (hopeless != null) {
            // It explains the dead end alone: it cannot come next, nor ever after.
            unplaceable.add(ops[hopeless.op]);
        } else {
            // The operation whose response was reached first, then every other candidate: none was
            // accepted by the model (had one been, the search would have gone deeper).
            Entry first = head.next;
            while (first.call) {
                first = first.next;
            }
            unplaceable.add(ops[first.op]);
            for (Entry e = head.next; e != first; e = e.next) {
                if (!indeterminate[e.op] && e.op != first.op) {
                    unplaceable.add(ops[e.op]);
                }
            }
        }
        bestUnplaceable = unplaceable;
    }

    /** {@code calls} without the element at {@code excluded}: the others of an operation. */
    private static final class Excluding extends AbstractList<Operation> implements RandomAccess {
        private final List<Operation> calls;
        private final int excluded;

        Excluding(List<Operation> calls, int excluded) {
            this.calls = calls;
            this.excluded = excluded;
        }

        @Override
        public Operation get(int index) {
            return calls.get(index < excluded ? index : index + 1);
        }

        @Override
        public int size() {
            return calls.size() - 1;
        }
    }

    private static void lift(Entry call) {
        unlink(call);
        if (call.match != null) {
            unlink(call.match);
        }
    }

    private static void unlift(Entry call) {
        // Exactly the reverse of lift, so each entry's stale links are still right when relinked.
        if (call.match != null) {
            relink(call.match);
        }
        relink(call);
    }

    private static void unlink(Entry e) {
        e.prev.next = e.next;
        if (e.next != null) {
            e.next.prev = e.prev;
        }
    }

    private static void relink(Entry e) {
        e.prev.next = e;
        if (e.next != null) {
            e.next.prev = e;
        }
    }

    private void setBit(int op) {
        int b = bit[op];
        if (indeterminate[op]) {
            used[b >>> 6] |= 1L << b;
            return;
        }
        done[b >>> 6] |= 1L << b;
        while (fullWords < done.length && done[fullWords] == fullMask(fullWords)) {
            fullWords++;
        }
    }

    private void clearBit(int op) {
        int b = bit[op];
        if (indeterminate[op]) {
            used[b >>> 6] &= ~(1L << b);
            return;
        }
        int w = b >>> 6;
        done[w] &= ~(1L << b);
        if (w < fullWords) {
            fullWords = w;
        }
    }

    private long fullMask(int word) {
        return word == done.length - 1 ? lastWordMask : -1L;
    }

    private Config snapshot(S state) {
        int end = done.length;
        while (end > fullWords && done[end - 1] == 0) {
            end--;
        }
        long[] tail = end == fullWords ? NO_BITS : Arrays.copyOfRange(done, fullWords, end);
        return new Config(fullWords, tail, state);
    }

    private boolean knownToFail(Config config) {
        Object known = failed.get(config);
        if (known == null) {
            return false;
        }
        if (known instanceof long[] mask) {
            return subset(mask, used);
        }
        @SuppressWarnings("unchecked")
        List<long[]> masks = (List<long[]>) known;
        for (long[] mask : masks) {
            if (subset(mask, used)) {
                return true;
            }
        }
        return false;
    }

    private void recordFailure(Config config) {
        long[] mask = used.length == 0 ? NO_BITS : used.clone();
        Object known = failed.get(config);
        if (known == null) {
            failed.put(config, mask);
            return;
        }
        List<long[]> masks;
        if (known instanceof long[] single) {
            masks = new ArrayList<>(2);
            masks.add(single);
            failed.put(config, masks);
        } else {
            @SuppressWarnings("unchecked")
            List<long[]> list = (List<long[]>) known;
            masks = list;
        }
        // Keep only the minimal sets: a failure with fewer indeterminate operations used covers more.
        masks.removeIf(m -> subset(mask, m));
        masks.add(mask);
    }

    /** True if every bit of {@code a} is in {@code b}. */
    private static boolean subset(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & ~b[i]) != 0) {
                return false;
            }
        }
        return true;
    }
}
