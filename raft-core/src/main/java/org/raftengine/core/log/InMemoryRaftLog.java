package org.raftengine.core.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.spi.CorruptEntryException;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;

/**
 * A {@link RaftLog} held in memory: for tests, the simulator, examples and benchmarks.
 *
 * <p>Nothing survives the JVM, so "durable on return" holds only for as long as this object is kept:
 * a simulated crash keeps the object (the node restarts on the same log), a simulated disk wipe
 * replaces it with a new one (and so a new {@link #storageId()}).
 *
 * <p>It stores the latest snapshot (in 64 KiB pages) and compacts: {@link #compactUpTo} releases the
 * entries a snapshot covers, so its memory stays bounded when the node takes snapshots.
 * {@link #append} costs O(batch) plus the size of any suffix it replaces; {@link #termAt} is O(1).
 * Entries are held in columns, not as the objects appended (their data copied in): many thousands of live
 * entries cost the garbage collector a few arrays, and {@link #read} returns new entries with copies of the data.
 *
 * <p>Every public method is {@code synchronized}. The node alone needs no locking (see the
 * {@link RaftLog} threading contract), but the simulator and tests inspect the log from other threads
 * while a node writes to it, and an uncontended lock costs next to nothing.
 *
 * <p>The methods {@link #snapshotEntries()}, {@link #corruptEntry(long)}, {@link #corruptSnapshot()} and
 * {@link #setWriteFailure(Supplier)} exist for tests and fault injection only.
 */
public final class InMemoryRaftLog implements RaftLog {

    /** Snapshot data is kept in pages of this size: never one array for the whole snapshot. */
    private static final int PAGE_BYTES = 64 << 10;

    private final long storageId;
    /** The index of the first entry held; entries before it were compacted away. */
    private long firstIndex = 1;
    /** The term of the entry at {@code firstIndex - 1} (0 while nothing was compacted). */
    private long compactedTerm;
    private SnapshotMeta snapshot;
    private List<byte[]> snapshotPages = List.of();
    /** Entry at index {@code i} is at position {@code i - firstIndex}. */
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

    /** {@inheritDoc} */
    @Override
    public synchronized long firstIndex() {
        return firstIndex;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized long lastIndex() {
        return firstIndex + entries.size() - 1;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index == firstIndex - 1) {
            return compactedTerm;
        }
        checkHeld(index);
        return entries.termAt(position(index));
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
        if (fromIndex < firstIndex || toIndex > lastIndex()) {
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
        if (start < firstIndex || start > last + 1) {
            throw new IllegalArgumentException("cannot append a batch starting at index " + start
                    + ": it must start between " + firstIndex + " and " + (last + 1)
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

    /** {@inheritDoc} True: every call works in memory under this log's own lock, held only for the call. */
    @Override
    public boolean neverBlocks() {
        return true;
    }

    /** {@inheritDoc} Always true. */
    @Override
    public boolean supportsSnapshots() {
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized SnapshotMeta snapshot() {
        return snapshot;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The data is kept in pages of 64 KiB apart from the log until the commit, which takes the log's
     * lock only to swap it in.
     */
    @Override
    public SnapshotSink beginSnapshot(long index, long term, ClusterConfiguration configuration) {
        Objects.requireNonNull(configuration, "configuration");
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("a snapshot covers index >= 1 of term >= 1, not " + index + "/" + term);
        }
        return new Sink(index, term, configuration);
    }

    /** {@inheritDoc} */
    @Override
    public synchronized byte[] readSnapshot(SnapshotMeta which, long offset, int maxBytes) {
        if (snapshot == null || !snapshot.sameAs(which)) {
            return null;
        }
        if (offset < 0 || offset > snapshot.sizeBytes()) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside snapshot data of "
                    + snapshot.sizeBytes() + " bytes");
        }
        int n = (int) Math.min(Math.max(0, maxBytes), snapshot.sizeBytes() - offset);
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            long at = offset + done;
            byte[] page = snapshotPages.get((int) (at / PAGE_BYTES));
            int inPage = (int) (at % PAGE_BYTES);
            int k = Math.min(n - done, page.length - inPage);
            System.arraycopy(page, inPage, out, done, k);
            done += k;
        }
        return out;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized void compactUpTo(long index) {
        if (snapshot == null || index > snapshot.index()) {
            throw new IllegalArgumentException("cannot compact up to " + index + ": the latest snapshot covers "
                    + (snapshot == null ? "nothing" : "up to " + snapshot.index()));
        }
        if (index < firstIndex) {
            return;
        }
        if (index > lastIndex()) {
            discardAllEntries(snapshot.index(), snapshot.term());
            return;
        }
        long term = termAt(index);
        entries.dropFirst(position(index + 1));
        firstIndex = index + 1;
        compactedTerm = term;
        if (syncedLastIndex >= 0 && syncedLastIndex < index) {
            syncedLastIndex = index;
        }
    }

    private void discardAllEntries(long lastDiscarded, long term) {
        entries.truncate(0);
        firstIndex = lastDiscarded + 1;
        compactedTerm = term;
        if (syncedLastIndex >= 0) {
            syncedLastIndex = lastDiscarded;
        }
    }

    private synchronized SnapshotMeta commitSnapshot(Sink sink) {
        if (snapshot != null && sink.index <= snapshot.index()) {
            throw new IllegalStateException("a snapshot at " + sink.index + " cannot replace the one at "
                    + snapshot.index());
        }
        throwIfWriteFails();
        boolean holdsLastEntry = sink.index >= firstIndex - 1 && sink.index <= lastIndex()
                && termAt(sink.index) == sink.term;
        if (!holdsLastEntry) {
            // The snapshot replaces a log that disagrees with it, or that ends before it (Raft section 7).
            discardAllEntries(sink.index, sink.term);
        }
        snapshot = new SnapshotMeta(sink.index, sink.term, sink.configuration, sink.size, (int) sink.crc.getValue());
        snapshotPages = List.copyOf(sink.pages);
        return snapshot;
    }

    /**
     * Test support: flips one bit of the last byte of the latest snapshot's data, as a torn write on disk
     * would; reading it through {@link #openSnapshot} to the end then fails its checksum (a reader that
     * stops where its own format ends would not notice).
     *
     * @throws IllegalStateException if there is no snapshot or it has no data
     */
    public synchronized void corruptSnapshot() {
        if (snapshot == null || snapshot.sizeBytes() == 0) {
            throw new IllegalStateException("no snapshot data to corrupt");
        }
        long last = snapshot.sizeBytes() - 1;
        int page = (int) (last / PAGE_BYTES);
        List<byte[]> pages = new ArrayList<>(snapshotPages);
        byte[] copy = pages.get(page).clone();
        copy[(int) (last % PAGE_BYTES)] ^= 0x01;
        pages.set(page, copy);
        snapshotPages = List.copyOf(pages);
    }

    /** A snapshot being written: its pages stay apart from the log until the commit. */
    private final class Sink implements SnapshotSink {
        final long index;
        final long term;
        final ClusterConfiguration configuration;
        final List<byte[]> pages = new ArrayList<>();
        final CRC32C crc = new CRC32C();
        long size;
        boolean done;

        Sink(long index, long term, ClusterConfiguration configuration) {
            this.index = index;
            this.term = term;
            this.configuration = configuration;
        }

        @Override
        public void write(byte[] data, int off, int len) {
            Objects.checkFromIndexSize(off, len, data.length);
            if (done) {
                throw new IllegalStateException("snapshot already committed or aborted");
            }
            crc.update(data, off, len);
            int at = off;
            int left = len;
            while (left > 0) {
                int inPage = (int) (size % PAGE_BYTES);
                if (inPage == 0) {
                    pages.add(new byte[PAGE_BYTES]);
                }
                int k = Math.min(left, PAGE_BYTES - inPage);
                System.arraycopy(data, at, pages.get(pages.size() - 1), inPage, k);
                at += k;
                left -= k;
                size += k;
            }
        }

        @Override
        public SnapshotMeta commit() {
            if (done) {
                throw new IllegalStateException("snapshot already committed or aborted");
            }
            SnapshotMeta meta = commitSnapshot(this);
            done = true;
            return meta;
        }

        @Override
        public void abort() {
            done = true;
            pages.clear();
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
     * An estimate of the heap this log's entries and snapshot take. Benchmarks report it apart from the
     * rest of the heap.
     */
    public synchronized long retainedBytes() {
        return entries.heapBytes() + (long) snapshotPages.size() * (PAGE_BYTES + 16);
    }

    /** A short description for logs and test failures. */
    @Override
    public synchronized String toString() {
        return "InMemoryRaftLog[id=" + Long.toHexString(storageId) + ", entries " + describeRange()
                + (snapshot != null ? ", snapshot " + snapshot.index() + "/" + snapshot.term() : "")
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
        if (index < firstIndex || index > lastIndex()) {
            throw new IndexOutOfBoundsException("no entry at index " + index + ": the log holds "
                    + describeRange());
        }
    }

    private String describeRange() {
        return entries.isEmpty() ? "no entries (first index " + firstIndex + ")" : firstIndex + ".." + lastIndex();
    }

    private int position(long index) {
        return Math.toIntExact(index - firstIndex);
    }
}
