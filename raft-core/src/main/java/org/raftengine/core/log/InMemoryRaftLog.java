package org.raftengine.core.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.raftengine.core.spi.CorruptEntryException;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;

/**
 * A {@link RaftLog} held in memory: for tests, the simulator, examples and benchmarks.
 *
 * <p>Nothing survives the JVM, so "durable on return" holds only for as long as this object is kept:
 * a simulated crash keeps the object (the node restarts on the same log), a simulated disk wipe
 * replaces it with a new one (and so a new {@link #storageId()}).
 *
 * <p>Entries start at index 1 and are never compacted, so {@link #firstIndex()} is always 1.
 * {@link #append} costs O(batch) plus the size of any suffix it replaces; {@link #termAt} is O(1).
 *
 * <p>Every public method is {@code synchronized}. The node alone needs no locking (see the
 * {@link RaftLog} threading contract), but the simulator and tests inspect the log from other threads
 * while a node writes to it, and an uncontended lock costs next to nothing.
 *
 * <p>The methods {@link #snapshotEntries()}, {@link #corruptEntry(long)} and
 * {@link #setWriteFailure(Supplier)} exist for tests and fault injection only.
 */
public final class InMemoryRaftLog implements RaftLog {

    private static final long FIRST_INDEX = 1;

    private final long storageId;
    /** Entry at index {@code i} is at position {@code i - FIRST_INDEX}. */
    private final ChunkedEntries entries = new ChunkedEntries();
    private HardState hardState = HardState.INITIAL;
    private String brokenReason;
    private Supplier<RuntimeException> writeFailure;
    /** With faked durability: the last index truly kept across a power loss; -1 when not faked. */
    private long syncedLastIndex = -1;

    /** Makes an empty log with a random, non-zero storage id, as a fresh storage would have. */
    public InMemoryRaftLog() {
        this(randomStorageId());
    }

    /**
     * Makes an empty log with the given storage id, so a deterministic simulation can reproduce ids.
     *
     * @param storageId the storage id; must not be 0 (0 means "unknown" to the engine)
     * @throws IllegalArgumentException if {@code storageId} is 0
     */
    public InMemoryRaftLog(long storageId) {
        if (storageId == 0) {
            throw new IllegalArgumentException("storage id must be non-zero");
        }
        this.storageId = storageId;
    }

    private static long randomStorageId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized long storageId() {
        return storageId;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized HardState hardState() {
        return hardState;
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException if {@code state} is null
     * @throws RuntimeException     the injected failure, if {@link #setWriteFailure} has one active;
     *                              the saved hard state is then unchanged
     */
    @Override
    public synchronized void saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        throwIfWriteFails();
        hardState = state;
    }

    /** {@inheritDoc} Always 1: this log is never compacted. */
    @Override
    public synchronized long firstIndex() {
        return FIRST_INDEX;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized long lastIndex() {
        return FIRST_INDEX + entries.size() - 1;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        checkHeld(index);
        return entries.get(position(index)).term();
    }

    /**
     * {@inheritDoc}
     *
     * <p>An empty range ({@code toIndex < fromIndex}) returns an empty list. A {@code maxBytes} of 0
     * or less still returns one entry. Every entry read is verified, even though it never left memory,
     * so that {@link #corruptEntry(long)} can stand in for a torn write on disk.
     *
     * @return an unmodifiable list of the entries read, in index order
     */
    @Override
    public synchronized List<LogEntry> read(long fromIndex, long toIndex, long maxBytes) {
        if (toIndex < fromIndex) {
            return List.of();
        }
        if (fromIndex < FIRST_INDEX || toIndex > lastIndex()) {
            throw new IndexOutOfBoundsException("cannot read entries " + fromIndex + ".." + toIndex
                    + ": the log holds " + describeRange());
        }
        // Cap the initial capacity: the range may be huge while maxBytes keeps the result small.
        int capacity = (int) Math.min(toIndex - fromIndex + 1, 1024);
        List<LogEntry> result = new ArrayList<>(capacity);
        long bytes = 0;
        for (long i = fromIndex; i <= toIndex; i++) {
            LogEntry entry = entries.get(position(i)).verify();
            result.add(entry);
            bytes += entry.sizeBytes();
            if (bytes >= maxBytes) {
                break;
            }
        }
        return Collections.unmodifiableList(result);
    }

    /**
     * {@inheritDoc}
     *
     * <p>An empty list changes nothing. The batch is validated completely before anything changes,
     * so a rejected or failed call leaves the log as it was.
     *
     * @throws NullPointerException     if the list or one of its entries is null
     * @throws IllegalArgumentException if the indexes are not contiguous, or the first index is not
     *                                  between {@code firstIndex()} and {@code lastIndex() + 1}
     * @throws RuntimeException         the injected failure, if {@link #setWriteFailure} has one active
     */
    @Override
    public synchronized void append(List<LogEntry> batch) {
        Objects.requireNonNull(batch, "entries");
        if (batch.isEmpty()) {
            return;
        }
        LogEntry first = Objects.requireNonNull(batch.get(0), "entry 0 of the batch is null");
        long start = first.index();
        long last = lastIndex();
        if (start < FIRST_INDEX || start > last + 1) {
            throw new IllegalArgumentException("cannot append a batch starting at index " + start
                    + ": it must start between " + FIRST_INDEX + " and " + (last + 1)
                    + " (the log holds " + describeRange() + ")");
        }
        for (int k = 1; k < batch.size(); k++) {
            LogEntry e = Objects.requireNonNull(batch.get(k), () -> "an entry of the batch is null");
            if (e.index() != start + k) {
                throw new IllegalArgumentException("batch is not contiguous: entry " + k + " has index "
                        + e.index() + ", expected " + (start + k));
            }
        }
        throwIfWriteFails();
        int from = position(start);
        if (from < entries.size()) {
            // The replaced suffix goes in the same step as the append, as the contract requires.
            entries.truncate(from);
        }
        for (LogEntry e : batch) {
            entries.add(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public synchronized boolean isBroken() {
        return brokenReason != null;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized String brokenReason() {
        return brokenReason;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Once broken, the log keeps its first reason: later failures are usually consequences of the
     * first, and the operator needs the root cause. Not affected by {@link #setWriteFailure}, since
     * recording why the replica stopped matters most exactly when storage is misbehaving.
     *
     * @throws NullPointerException if {@code reason} is null
     */
    @Override
    public synchronized void markBroken(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (brokenReason == null) {
            brokenReason = reason;
        }
    }

    /**
     * Test support: a copy of every entry held, in index order, without verifying checksums (so a
     * test can look at a corrupted entry too).
     *
     * @return an unmodifiable copy; later changes to the log do not show in it
     */
    public synchronized List<LogEntry> snapshotEntries() {
        return List.copyOf(entries.toList());
    }

    /**
     * Test support: simulates a torn write by replacing the entry at {@code index} with a copy whose
     * data differs but which keeps the old checksum. Reading it back with {@link #read} then raises
     * {@link CorruptEntryException}; {@link #termAt} still answers, as a storage index would.
     *
     * @throws IndexOutOfBoundsException if the log holds no entry at that index
     */
    public synchronized void corruptEntry(long index) {
        checkHeld(index);
        int pos = position(index);
        LogEntry old = entries.get(pos);
        LogEntry corrupt = null;
        if (old.data().length > 0) {
            byte[] data = Arrays.copyOf(old.data(), old.data().length);
            // A single flipped bit is always caught by a CRC.
            data[0] ^= 0x01;
            corrupt = withData(old, data);
        } else {
            // No byte to flip: add one. A CRC could in theory match for one appended value, so try
            // another value in that case rather than hand back an entry that still verifies.
            for (int b = 0; b < 256 && (corrupt == null || corrupt.isIntact()); b++) {
                corrupt = withData(old, new byte[] {(byte) b});
            }
        }
        entries.set(pos, corrupt);
    }

    private static LogEntry withData(LogEntry e, byte[] data) {
        return new LogEntry(e.index(), e.term(), e.type(), e.requestId(), data, e.checksum());
    }

    /**
     * Test support: injects write failures, as from a database that is down or a disk that is full.
     * While {@code failure} is set and returns a non-null exception, {@link #append} and
     * {@link #saveHardState} throw that exception and change nothing. The supplier is asked once per
     * write, so it can fail a given number of writes and then return null.
     *
     * @param failure the source of failures, or {@code null} to make writes succeed again
     */
    public synchronized void setWriteFailure(Supplier<RuntimeException> failure) {
        this.writeFailure = failure;
    }

    /**
     * Test support: fakes durability, as a disk that acknowledges writes it has only cached. From now
     * on, entries appended count as written but are lost by {@link #loseUnsyncedWrites()} (a power
     * loss); the test suite must then flag the acknowledged commands that vanished.
     */
    public synchronized void fakeDurability() {
        if (syncedLastIndex < 0) {
            syncedLastIndex = lastIndex();
        }
    }

    /**
     * Test support: a power loss under {@link #fakeDurability()}: the entries appended since are gone.
     * Does nothing if durability is not faked.
     */
    public synchronized void loseUnsyncedWrites() {
        if (syncedLastIndex >= 0) {
            entries.truncate(position(Math.min(syncedLastIndex, lastIndex()) + 1));
        }
    }

    /**
     * An estimate of the heap this log's entries take (see the class comment: it is never compacted,
     * so this grows with every entry until compaction exists). Benchmarks report it apart from the rest
     * of the heap.
     */
    public synchronized long retainedBytes() {
        return entries.heapBytes();
    }

    /** A short description for logs and test failures. */
    @Override
    public synchronized String toString() {
        return "InMemoryRaftLog[id=" + Long.toHexString(storageId) + ", entries " + describeRange()
                + ", " + hardState + (brokenReason != null ? ", broken: " + brokenReason : "") + "]";
    }

    private void throwIfWriteFails() {
        if (writeFailure != null) {
            RuntimeException e = writeFailure.get();
            if (e != null) {
                throw e;
            }
        }
    }

    private void checkHeld(long index) {
        if (index < FIRST_INDEX || index > lastIndex()) {
            throw new IndexOutOfBoundsException("no entry at index " + index + ": the log holds "
                    + describeRange());
        }
    }

    private String describeRange() {
        return entries.isEmpty() ? "no entries" : FIRST_INDEX + ".." + lastIndex();
    }

    private static int position(long index) {
        return Math.toIntExact(index - FIRST_INDEX);
    }
}
