package org.raftengine.core.spi;

import java.util.List;

/**
 * The replicated log and the hard state of one node: the storage seam.
 *
 * <h2>Threading</h2>
 * Every call comes from the node's storage executor, one at a time, never from the protocol thread
 * (unless the log declares it never blocks and the node runs storage on the protocol thread through
 * the same code path). Implementations therefore need no locking of their own for the node's use;
 * tools that inspect a log while a node runs must synchronise themselves.
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
     * The term of the entry at {@code index}.
     *
     * @return the term; 0 for index 0
     * @throws IndexOutOfBoundsException if the log holds no entry at that index
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

    /** True if the log was marked broken. */
    boolean isBroken();

    /** Why the log was marked broken, or {@code null}. */
    String brokenReason();

    /** Marks the log broken, durably: a node refuses to start on it until it is repaired. */
    void markBroken(String reason);
}
