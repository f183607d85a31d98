package org.raftengine.core.spi;

import java.io.InputStream;
import java.util.List;
import org.raftengine.core.ClusterConfiguration;

/**
 * The replicated log and the hard state of one node: the storage seam.
 *
 * <h2>Threading</h2>
 * Every call comes from the node's storage executor, one at a time, never from the protocol thread
 * (unless the log declares it never blocks and the node runs storage on the protocol thread through
 * the same code path), except the snapshot calls named under "Snapshots and compaction" below, which
 * may come from the node's snapshot executor while the storage executor works. Implementations
 * therefore need no locking of their own for the entries and the hard state; tools that inspect a log
 * while a node runs must synchronise themselves.
 *
 * <h2>Durability</h2>
 * {@link #append} and {@link #saveHardState} are durable when they return: after a crash, a restarted
 * node reads back exactly what they wrote. Anything not yet passed to them may be lost by a crash, and
 * the engine is built to survive that. A call that cannot make its write durable (database down, disk
 * full) must throw, and must not leave a partial write visible: the engine then acknowledges nothing,
 * and retries.
 *
 * <h2>Entries</h2>
 * Indexes start at 1 and are contiguous from {@link #firstIndex()} to {@link #lastIndex()}; an empty
 * log has {@code lastIndex() == firstIndex() - 1}. {@link #append} replaces every entry from the first
 * new index on, so a truncation of a conflicting suffix and the append that follows it are one durable
 * step. Entries are returned exactly as appended; an implementation that stores them outside memory
 * must call {@link LogEntry#verify()} when it reads them back, so a torn or corrupted entry raises
 * {@link CorruptEntryException} instead of being served.
 *
 * <h2>Identity</h2>
 * {@link #storageId()} is a random, non-zero number made when the storage is created and never changed.
 * A node that comes back with wiped storage has a new storage id, which its peers recognise and refuse.
 *
 * <h2>Snapshots and compaction</h2>
 * A log that {@link #supportsSnapshots()} also stores the latest snapshot of the state machine, and
 * discards the entries it covers. A snapshot is written through a {@link SnapshotSink} and becomes the
 * latest atomically on {@link SnapshotSink#commit()}; {@link #compactUpTo} then discards entries up to an
 * index the snapshot covers, so {@link #firstIndex()} moves up. Compaction need not be durable at once
 * (entries that come back after a crash are simply discarded again), but it is atomic: the log is never
 * seen holding a part of the range. {@link #termAt} answers for {@code firstIndex() - 1} too, the last
 * index discarded, so the node can check the entry before the first one it holds.
 *
 * <p>Snapshot calls may come from executors other than the storage executor, concurrently with the
 * storage executor's calls: {@link #beginSnapshot} and the sink's writes from the node's snapshot
 * executor, {@link #readSnapshot} from any. A committed snapshot never changes, so reading one needs no
 * coordination beyond not serving a snapshot that a newer one has replaced ({@link #readSnapshot} names
 * the snapshot it wants). {@link SnapshotSink#commit()} and {@link #compactUpTo} come from the storage
 * executor, in order with appends.
 *
 * <h2>Broken</h2>
 * When the state machine fails in a way that may make this replica diverge, the engine marks the log
 * broken with a reason; a node whose log is broken refuses to start until an operator repairs it.
 */
public interface RaftLog {

    /** The random, non-zero id made when this storage was created. */
    long storageId();

    /** The last saved hard state, {@link HardState#INITIAL} for new storage. */
    HardState hardState();

    /** Saves the hard state; durable on return. */
    void saveHardState(HardState state);

    /** The index of the first entry held (1 until a snapshot compacts the log). */
    long firstIndex();

    /** The index of the last entry held, or {@code firstIndex() - 1} when there is none. */
    long lastIndex();

    /**
     * The term of the entry at {@code index}, or of the last entry discarded when {@code index} is
     * {@code firstIndex() - 1}.
     *
     * @return the term; 0 for index 0
     * @throws IndexOutOfBoundsException if the log holds no entry at that index and it is not
     *                                   {@code firstIndex() - 1}
     */
    long termAt(long index);

    /**
     * Reads entries from {@code fromIndex} up to {@code toIndex} inclusive, stopping early once the
     * entries read reach {@code maxBytes} (at least one entry is always returned for a non-empty range).
     *
     * @throws IndexOutOfBoundsException if the range is not within the entries held
     * @throws CorruptEntryException     if an entry read fails its checksum
     */
    List<LogEntry> read(long fromIndex, long toIndex, long maxBytes);

    /**
     * Appends a contiguous batch, replacing every entry from the batch's first index on.
     * The first index must be between {@code firstIndex()} and {@code lastIndex() + 1}. Durable on return.
     */
    void append(List<LogEntry> entries);

    /**
     * True if no call of this log ever waits: no disk or network I/O, no lock another thread holds for long.
     * The node then runs its log calls on its protocol thread (see {@code RaftNode}'s constructor), saving a
     * thread hand-off per batch; a call that did wait there would hold up heartbeats and elections.
     * {@code false} unless the log says otherwise, as for any log on a disk or a database.
     */
    default boolean neverBlocks() {
        return false;
    }

    /**
     * True if this log stores snapshots and compacts (the methods below work). A log that does not keeps
     * every entry, and the node then takes no snapshot and installs none.
     */
    default boolean supportsSnapshots() {
        return false;
    }

    /** The latest committed snapshot, or {@code null} if there is none. */
    default SnapshotMeta snapshot() {
        return null;
    }

    /**
     * Starts writing a snapshot that covers the log up to {@code index}, whose entry has {@code term}, with
     * {@code configuration} in force there. Nothing changes until the sink's {@link SnapshotSink#commit()}.
     */
    default SnapshotSink beginSnapshot(long index, long term, ClusterConfiguration configuration) {
        throw new UnsupportedOperationException(getClass().getName() + " does not store snapshots");
    }

    /**
     * Reads up to {@code maxBytes} of the data of the snapshot {@code which}, from {@code offset}.
     *
     * @return the bytes read (empty at the end of the data), or {@code null} if {@code which} is no longer
     *         the latest snapshot (a newer one replaced it)
     * @throws IndexOutOfBoundsException if {@code offset} is negative or beyond the data
     */
    default byte[] readSnapshot(SnapshotMeta which, long offset, int maxBytes) {
        throw new UnsupportedOperationException(getClass().getName() + " does not store snapshots");
    }

    /**
     * Discards every entry up to {@code index} inclusive, which the latest snapshot must cover; a log
     * holding no entry that far discards what it holds. Afterwards {@code firstIndex()} is
     * {@code index + 1} (or stays where it was if already beyond) and {@code termAt(index)} still answers.
     *
     * @throws IllegalArgumentException if the latest snapshot does not reach {@code index}
     */
    default void compactUpTo(long index) {
        throw new UnsupportedOperationException(getClass().getName() + " does not compact");
    }

    /**
     * The data of snapshot {@code which} as a stream, checked against its size and checksum as it is read
     * (a mismatch raises {@link CorruptSnapshotException} at the end). Reads through {@link #readSnapshot}.
     */
    default InputStream openSnapshot(SnapshotMeta which) {
        return new SnapshotInputStream(this, which);
    }

    /** True if the log was marked broken. */
    boolean isBroken();

    /** Why the log was marked broken, or {@code null}. */
    String brokenReason();

    /** Marks the log broken, durably: a node refuses to start on it until it is repaired. */
    void markBroken(String reason);
}
