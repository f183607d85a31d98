package org.raftengine.testkit.tck;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.Member;
import org.raftengine.core.spi.CorruptEntryException;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;

/**
 * The conformance suite (TCK) every {@link RaftLog} must pass: extend it, say how to make a log on new
 * storage, how to open that storage again as after a crash, and how to corrupt a stored entry behind the
 * log's back, and run it with JUnit 5.
 *
 * <pre>{@code
 * class FileRaftLogConformanceTest extends RaftLogConformance {
 *     @TempDir Path dir;
 *     private final Map<RaftLog, Path> homes = new IdentityHashMap<>();
 *
 *     protected RaftLog newLog() throws IOException {
 *         Path home = Files.createTempDirectory(dir, "log");
 *         RaftLog log = FileRaftLog.open(home);
 *         homes.put(log, home);
 *         return log;
 *     }
 *     protected RaftLog reopen(RaftLog log) throws IOException {
 *         RaftLog again = FileRaftLog.open(homes.get(log)); // the old instance is abandoned, not closed
 *         homes.put(again, homes.get(log));
 *         return again;
 *     }
 *     protected void corruptStoredEntry(RaftLog log, long index) throws IOException {
 *         FileRaftLog.flipABitOfEntry(homes.get(log), index); // however the format lets a test find it
 *     }
 *     protected void release(RaftLog log) throws IOException {
 *         ((FileRaftLog) log).closeQuietly();
 *     }
 * }
 * }</pre>
 *
 * <p>What it checks, from the {@link RaftLog}, {@link SnapshotSink} and {@link LogEntry} contracts: new
 * storage is an empty log with {@link HardState#INITIAL} and a random, non-zero storage id of its own that
 * never changes; entries of every type are read back exactly as appended (index, term, type, request id,
 * data, checksum); an append inside the log replaces the whole suffix from its first index, and one outside
 * {@code [firstIndex(), lastIndex() + 1]} is refused and changes nothing; reads are inclusive, refuse
 * ranges outside the entries held, and stop once the entries read reach {@code maxBytes} (as counted by
 * {@link LogEntry#sizeBytes()}) but return at least one entry; {@code termAt} answers for every entry held
 * and for {@code firstIndex() - 1}; the hard state, the entries, the broken mark and its reason, the
 * committed snapshot and the outcome of a snapshot's commit survive a crash ({@link #reopen}); an entry
 * whose stored bytes changed fails its checksum when read ({@link CorruptEntryException}).
 *
 * <p>For a log that {@link RaftLog#supportsSnapshots() supports snapshots}: a committed snapshot carries the
 * size and CRC32C of the bytes written, however they were split into writes, and is read back identical, by
 * offset and through {@link RaftLog#openSnapshot}; nothing of a snapshot is visible before its commit, an
 * abort or a crash leaves the log as it was, and an abandoned sink's data never shows up in a later
 * snapshot; the commit keeps the entries when the log holds the snapshot's last entry, and discards them all
 * when it does not (another term there, or the log ends before); a replaced snapshot is no longer served; a
 * commit at the same or an older index is refused ({@link IllegalStateException}) and changes nothing;
 * {@link RaftLog#compactUpTo} moves {@code firstIndex()}, keeps the term of the last entry it discards,
 * refuses to go beyond the snapshot ({@link IllegalArgumentException}), and appends go on after it; a sink
 * written from another thread while entries are appended produces the right snapshot and disturbs none of
 * them. For a log that does not support snapshots, the same tests check that it says so:
 * {@link RaftLog#snapshot()} is {@code null} and {@link RaftLog#beginSnapshot} throws
 * {@link UnsupportedOperationException}.
 *
 * <p>Where the contract leaves a choice, the suite accepts either: an out-of-range append may throw any
 * runtime exception; {@link RaftLog#readSnapshot} may return fewer bytes than asked for (never none before
 * the end of the data), like {@link InputStream#read(byte[])}; compaction need not be durable at once, so
 * after a crash {@code firstIndex()} may be back where it was before any of the compactions since the last
 * durable one, but never inside a range one of them discarded. The suite does not test what the contract
 * leaves open: appending an empty or non-contiguous batch, reading an empty range, marking a broken log
 * broken again, an empty snapshot, or compacting up to an index past the last entry but short of the
 * snapshot's (whose term the log cannot know).
 *
 * <p>Every test makes its own logs ({@link #newLog()}, two in a few tests), appends about a hundred entries
 * at most, and is independent of the others, so the suite stays quick on a database-backed log; one test
 * writes a snapshot of 5 MiB. No test sleeps: the one test with two threads hands over
 * with a barrier. After each test the suite calls {@link #release} for every log it got from
 * {@link #newLog()} or {@link #reopen}, whether the test passed or not.
 *
 * <p>raftengine runs the suite against its {@code InMemoryRaftLog}, whose storage is the object itself:
 * {@code reopen} returns the same instance and {@code corruptStoredEntry} calls its
 * {@code corruptEntry(index)} test hook.
 */
public abstract class RaftLogConformance {

    /** A {@code maxBytes} that reads the whole range. */
    private static final long ALL = Long.MAX_VALUE;

    private static final int MIB = 1 << 20;

    /** A snapshot's configuration with storage ids and settings other than the defaults, to see them kept. */
    private static final ClusterConfiguration CONFIG = new ClusterConfiguration(
            List.of(new Member("n1", 0x1234_5678_9abc_def0L), new Member("n2", -42), Member.of("n3")),
            new ClusterSettings(50, 400, 900, 64, 256 << 10, 4, 32L << 20, 10_000, false, true, 120_000));

    /** Every distinct log instance the current test got from {@link #newLog} or {@link #reopen}, oldest first. */
    private final List<RaftLog> made = new ArrayList<>();

    /** A new log on new, empty storage (each call: storage of its own). */
    protected abstract RaftLog newLog() throws Exception;

    /**
     * The storage of {@code log} opened again, as after the process crashed (the old instance is abandoned,
     * not closed). A log whose storage is the object itself (in memory) returns {@code log}. The suite uses
     * only the instance returned from then on, except that a snapshot sink begun on the old instance may be
     * left abandoned mid-write, as a crash leaves it. What a crash would free and the old instance still
     * holds (an open transaction, a lock on a file) should be freed here, as the crash would.
     */
    protected abstract RaftLog reopen(RaftLog log) throws Exception;

    /**
     * Changes the stored bytes of the entry at {@code index} behind the log's back (a torn write or bit rot),
     * so that reading it back must fail its checksum. The suite reopens the log ({@link #reopen}) before
     * reading, so a cache of entries written by the instance itself does not hide the change.
     */
    protected abstract void corruptStoredEntry(RaftLog log, long index) throws Exception;

    /**
     * Releases what newLog made (close a connection pool, delete rows); default does nothing.
     *
     * <p>Called after each test, newest first, once for every distinct instance {@link #newLog} and
     * {@link #reopen} returned during the test, even if it failed. An instance {@link #reopen} returned
     * shares its storage with the one it came from, so releasing the storage must be harmless the second
     * time. The exception of a failed release is reported once every instance had its call.
     */
    protected void release(RaftLog log) throws Exception {
    }

    @AfterEach
    final void releaseLogs() throws Exception {
        Exception failure = null;
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                release(made.get(i));
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        made.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private RaftLog fresh() throws Exception {
        RaftLog log = newLog();
        assertNotNull(log, "newLog() returned null");
        remember(log);
        return log;
    }

    /** The log's storage after a crash: the old instance is not used again. */
    private RaftLog crash(RaftLog log) throws Exception {
        RaftLog again = reopen(log);
        assertNotNull(again, "reopen() returned null");
        remember(again);
        return again;
    }

    private void remember(RaftLog log) {
        for (RaftLog m : made) {
            if (m == log) {
                return;
            }
        }
        made.add(log);
    }

    // ---------------------------------------------------------------------------------------------------
    // Data and assertions

    private static byte[] bytes(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A command whose data depends on its index and term, so a replaced entry never reads as the old one. */
    private static LogEntry entry(long index, long term) {
        return LogEntry.command(index, term, bytes(16, index * 1_000_003L + term));
    }

    private static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(entry(i, term));
        }
        return list;
    }

    /** Entries from index 1, one per term given. */
    private static List<LogEntry> withTerms(long... terms) {
        List<LogEntry> list = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            list.add(entry(i + 1, terms[i]));
        }
        return list;
    }

    private static List<LogEntry> concat(List<LogEntry> a, List<LogEntry> b) {
        List<LogEntry> list = new ArrayList<>(a);
        list.addAll(b);
        return list;
    }

    private static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }

    private static void assertSameEntry(LogEntry expected, LogEntry actual, String what) {
        String at = what + ", entry " + expected.index();
        assertNotNull(actual, at + ": null");
        assertEquals(expected.index(), actual.index(), at + ": index");
        assertEquals(expected.term(), actual.term(), at + ": term");
        assertEquals(expected.type(), actual.type(), at + ": type");
        assertEquals(expected.requestId(), actual.requestId(), at + ": requestId");
        assertArrayEquals(expected.data(), actual.data(), at + ": data");
        assertEquals(expected.checksum(), actual.checksum(), at + ": checksum");
    }

    private static void assertSameEntries(List<LogEntry> expected, List<LogEntry> actual, String what) {
        assertNotNull(actual, what + ": read returned null");
        assertEquals(expected.size(), actual.size(), what + ": number of entries read");
        for (int i = 0; i < expected.size(); i++) {
            assertSameEntry(expected.get(i), actual.get(i), what);
        }
    }

    /** The log holds exactly {@code expected}, a contiguous run: bounds, contents and terms. */
    private static void assertHolds(RaftLog log, List<LogEntry> expected, String what) {
        long first = expected.get(0).index();
        long last = expected.get(expected.size() - 1).index();
        assertEquals(first, log.firstIndex(), what + ": firstIndex()");
        assertEquals(last, log.lastIndex(), what + ": lastIndex()");
        assertSameEntries(expected, log.read(first, last, ALL), what);
        for (LogEntry e : expected) {
            assertEquals(e.term(), log.termAt(e.index()), what + ": termAt(" + e.index() + ")");
        }
    }

    /**
     * The log holds no entry and continues at {@code firstIndex}; the last one discarded had {@code term}.
     */
    private static void assertHoldsNothingFrom(RaftLog log, long firstIndex, long term, String what) {
        assertEquals(firstIndex, log.firstIndex(), what + ": firstIndex()");
        assertEquals(firstIndex - 1, log.lastIndex(), what + ": lastIndex()");
        assertEquals(term, log.termAt(firstIndex - 1), what + ": termAt(firstIndex() - 1)");
        assertThrows(IndexOutOfBoundsException.class, () -> log.termAt(firstIndex), what + ": termAt(firstIndex())");
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(firstIndex, firstIndex, ALL),
                what + ": read(firstIndex(), firstIndex())");
    }

    /**
     * True if the log does not store snapshots, once it has been checked to say so as the contract asks;
     * a snapshot test then has nothing more to check.
     */
    private static boolean lacksSnapshots(RaftLog log) {
        if (log.supportsSnapshots()) {
            return false;
        }
        assertNull(log.snapshot(), "a log without snapshots has snapshot() == null");
        assertThrows(UnsupportedOperationException.class, () -> log.beginSnapshot(1, 1, CONFIG),
                "a log without snapshots refuses beginSnapshot");
        return true;
    }

    /** Writes {@code data} through the sink in pieces of {@code piece} bytes. */
    private static void writeInPieces(SnapshotSink sink, byte[] data, int piece) {
        for (int off = 0; off < data.length; off += piece) {
            sink.write(data, off, Math.min(piece, data.length - off));
        }
    }

    private static SnapshotMeta takeSnapshot(RaftLog log, long index, long term, byte[] data) {
        SnapshotSink sink = log.beginSnapshot(index, term, CONFIG);
        writeInPieces(sink, data, 1000);
        return sink.commit();
    }

    /** The whole data of the latest snapshot {@code meta}, read in chunks of at most {@code chunk} bytes. */
    private static byte[] readWhole(RaftLog log, SnapshotMeta meta, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long offset = 0;
        while (offset < meta.sizeBytes()) {
            byte[] part = log.readSnapshot(meta, offset, chunk);
            assertNotNull(part, "readSnapshot of the latest snapshot at " + offset + " returned null");
            assertTrue(part.length > 0 && part.length <= chunk, "readSnapshot at " + offset + " of "
                    + meta.sizeBytes() + " bytes, up to " + chunk + ", returned " + part.length + " bytes");
            out.write(part, 0, part.length);
            offset += part.length;
        }
        byte[] end = log.readSnapshot(meta, offset, chunk);
        assertNotNull(end, "readSnapshot at the end of the latest snapshot returned null");
        assertEquals(0, end.length, "readSnapshot at the end of the data returns no bytes");
        return out.toByteArray();
    }

    private static byte[] readStream(RaftLog log, SnapshotMeta meta) throws Exception {
        try (InputStream in = log.openSnapshot(meta)) {
            return in.readAllBytes();
        }
    }

    /** The snapshot is the log's latest and its data reads back as {@code data}. */
    private static void assertLatestSnapshot(RaftLog log, SnapshotMeta meta, byte[] data, String what) {
        assertEquals(meta, log.snapshot(), what + ": snapshot()");
        assertArrayEquals(data, readWhole(log, meta, 64 << 10), what + ": the snapshot's data");
    }

    // ---------------------------------------------------------------------------------------------------
    // New storage and identity

    @Test
    void newStorageIsAnEmptyLogWithTheInitialHardState() throws Exception {
        RaftLog log = fresh();

        assertEquals(1, log.firstIndex(), "firstIndex()");
        assertEquals(0, log.lastIndex(), "lastIndex()");
        assertEquals(0, log.termAt(0), "termAt(0)");
        assertThrows(IndexOutOfBoundsException.class, () -> log.termAt(1), "termAt(1) of an empty log");
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(1, 1, ALL), "read(1, 1) of an empty log");
        assertEquals(HardState.INITIAL, log.hardState(), "hardState()");
        assertFalse(log.isBroken(), "isBroken()");
        assertNull(log.brokenReason(), "brokenReason()");
        assertNull(log.snapshot(), "snapshot()");
    }

    @Test
    void newStorageHasARandomNonZeroStorageIdOfItsOwn() throws Exception {
        RaftLog a = fresh();
        RaftLog b = fresh();

        assertNotEquals(0, a.storageId(), "storageId()");
        assertNotEquals(0, b.storageId(), "storageId()");
        assertNotEquals(a.storageId(), b.storageId(), "two new storages have the same storageId()");
    }

    @Test
    void theStorageIdNeverChangesAcrossCrashes() throws Exception {
        RaftLog log = fresh();
        long id = log.storageId();

        log = crash(log);
        assertEquals(id, log.storageId(), "storageId() after a crash of the new storage");
        log.append(entries(1, 3, 1));
        log.saveHardState(new HardState(1, "n1"));
        log = crash(log);
        assertEquals(id, log.storageId(), "storageId() after writes and a crash");
    }

    // ---------------------------------------------------------------------------------------------------
    // Append and read

    @Test
    void entriesOfEveryKindAreReadBackExactlyAsAppended() throws Exception {
        RaftLog log = fresh();
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        List<LogEntry> appended = List.of(
                LogEntry.of(1, 1, EntryType.CONFIGURATION, 0, bytes(300, 1)),
                LogEntry.of(2, 1, EntryType.NOOP, 0, new byte[0]),
                LogEntry.of(3, 1, EntryType.COMMAND, 0, "put k v".getBytes(StandardCharsets.UTF_8)),
                LogEntry.of(4, 1, EntryType.COMMAND, 77, new byte[0]),
                LogEntry.of(5, 2, EntryType.COMMAND, Long.MAX_VALUE, everyByte),
                LogEntry.of(6, 2, EntryType.SESSION_COMMAND, -1, bytes(48, 6)),
                LogEntry.of(7, 2, EntryType.SESSION_COMMAND, Long.MIN_VALUE, new byte[0]),
                LogEntry.of(8, Long.MAX_VALUE / 2, EntryType.COMMAND, 0x0123_4567_89ab_cdefL, bytes(128 << 10, 8)));

        log.append(appended.subList(0, 3));
        log.append(appended.subList(3, appended.size()));

        assertHolds(log, appended, "as appended");
        for (LogEntry e : log.read(1, 8, ALL)) {
            assertTrue(e.isIntact(), "entry " + e.index() + " read back fails its checksum");
        }
        log = crash(log);
        assertHolds(log, appended, "after a crash");
    }

    @Test
    void appendAtLastIndexPlusOneExtendsTheLog() throws Exception {
        RaftLog log = fresh();

        log.append(entries(1, 1, 1));
        log.append(entries(2, 5, 1));
        log.append(entries(6, 6, 2));
        log.append(entries(7, 9, 3));

        List<LogEntry> all = concat(concat(entries(1, 5, 1), entries(6, 6, 2)), entries(7, 9, 3));
        assertHolds(log, all, "after four appends");
        log = crash(log);
        assertHolds(log, all, "after a crash");
    }

    @Test
    void appendInsideTheLogReplacesTheWholeSuffixFromItsFirstIndex() throws Exception {
        RaftLog log = fresh();
        log.append(entries(1, 10, 1));

        log.append(entries(6, 7, 2));

        List<LogEntry> expected = concat(entries(1, 5, 1), entries(6, 7, 2));
        assertHolds(log, expected, "after replacing 6..10 with 6..7");
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(8, 8, ALL), "read(8, 8) of a dropped entry");
        assertThrows(IndexOutOfBoundsException.class, () -> log.termAt(8), "termAt(8) of a dropped entry");
        RaftLog again = crash(log);
        assertHolds(again, expected, "after a crash: the dropped entries must not come back");

        again.append(entries(8, 9, 3));
        assertHolds(again, concat(expected, entries(8, 9, 3)), "appending after the replaced suffix");
    }

    @Test
    void appendInsideTheLogWithALongerBatchReplacesAndExtends() throws Exception {
        RaftLog log = fresh();
        log.append(entries(1, 5, 1));

        log.append(entries(3, 8, 2));

        List<LogEntry> expected = concat(entries(1, 2, 1), entries(3, 8, 2));
        assertHolds(log, expected, "after replacing 3..5 with 3..8");
        log = crash(log);
        assertHolds(log, expected, "after a crash");
    }

    @Test
    void appendAtTheFirstIndexReplacesEveryEntry() throws Exception {
        RaftLog log = fresh();
        log.append(entries(1, 6, 1));

        log.append(entries(1, 2, 2));

        assertHolds(log, entries(1, 2, 2), "after replacing 1..6 with 1..2");
        log = crash(log);
        assertHolds(log, entries(1, 2, 2), "after a crash");
    }

    @Test
    void appendOutsideFirstIndexToLastIndexPlusOneIsRefusedAndChangesNothing() throws Exception {
        RaftLog empty = fresh();
        assertThrows(RuntimeException.class, () -> empty.append(entries(2, 3, 1)), "append at 2 to an empty log");
        assertThrows(RuntimeException.class, () -> empty.append(List.of(entry(0, 1))), "append at index 0");
        assertEquals(0, empty.lastIndex(), "lastIndex() after refused appends");

        RaftLog log = fresh();
        log.append(entries(1, 5, 1));
        assertThrows(RuntimeException.class, () -> log.append(entries(7, 8, 2)), "append at lastIndex() + 2");
        assertThrows(RuntimeException.class, () -> log.append(entries(0, 2, 2)), "append at index 0");

        assertHolds(log, entries(1, 5, 1), "after refused appends");
        RaftLog again = crash(log);
        assertHolds(again, entries(1, 5, 1), "after refused appends and a crash");
    }

    @Test
    void readReturnsTheInclusiveRangeAsked() throws Exception {
        RaftLog log = fresh();
        List<LogEntry> all = entries(1, 20, 1);
        log.append(all);

        assertSameEntries(all.subList(4, 9), log.read(5, 9, ALL), "read(5, 9)");
        assertSameEntries(all.subList(0, 1), log.read(1, 1, ALL), "read(1, 1)");
        assertSameEntries(all.subList(19, 20), log.read(20, 20, ALL), "read(20, 20)");
        assertSameEntries(all, log.read(1, 20, ALL), "read(1, 20)");
    }

    @Test
    void readOfARangeNotWithinTheEntriesHeldThrowsIndexOutOfBounds() throws Exception {
        RaftLog log = fresh();
        log.append(entries(1, 10, 1));

        assertThrows(IndexOutOfBoundsException.class, () -> log.read(0, 5, ALL), "read(0, 5)");
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(5, 11, ALL), "read(5, 11)");
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(11, 11, ALL), "read(11, 11)");
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(12, 15, ALL), "read(12, 15)");
    }

    @Test
    void readStopsAtTheEntryThatReachesMaxBytes() throws Exception {
        RaftLog log = fresh();
        // sizeBytes() of 47, 57, 67, 77, 87: the running totals are 47, 104, 171, 248, 335.
        List<LogEntry> all = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            all.add(LogEntry.command(i, 1, bytes(10 * i, i)));
        }
        log.append(all);
        long first = all.get(0).sizeBytes();
        long two = first + all.get(1).sizeBytes();

        assertSameEntries(all.subList(0, 1), log.read(1, 5, first), "read(1, 5) up to exactly the first entry's size");
        assertSameEntries(all.subList(0, 2), log.read(1, 5, first + 1), "read(1, 5) up to one byte over the first");
        assertSameEntries(all.subList(0, 2), log.read(1, 5, two), "read(1, 5) up to exactly two entries' size");
        assertSameEntries(all.subList(0, 3), log.read(1, 5, two + 1), "read(1, 5) up to one byte more than two");
        assertSameEntries(all.subList(1, 2), log.read(2, 5, all.get(1).sizeBytes()), "read(2, 5) up to entry 2's size");
        assertSameEntries(all, log.read(1, 5, 335), "read(1, 5) up to the size of all");
        assertSameEntries(all.subList(0, 2), log.read(1, 2, 335), "read(1, 2) up to the size of all");
    }

    @Test
    void readReturnsAtLeastOneEntryWhateverMaxBytes() throws Exception {
        RaftLog log = fresh();
        List<LogEntry> all = List.of(LogEntry.command(1, 1, bytes(64 << 10, 1)), entry(2, 1), entry(3, 1));
        log.append(all);

        assertSameEntries(all.subList(0, 1), log.read(1, 3, 1024), "read(1, 3) up to less than the first entry");
        assertSameEntries(all.subList(0, 1), log.read(1, 3, 1), "read(1, 3) up to 1 byte");
        assertSameEntries(all.subList(0, 1), log.read(1, 3, 0), "read(1, 3) up to 0 bytes");
        assertSameEntries(all.subList(1, 2), log.read(2, 3, 0), "read(2, 3) up to 0 bytes");
    }

    @Test
    void termAtAnswersForEveryEntryHeldAndThrowsBeyond() throws Exception {
        RaftLog log = fresh();
        log.append(withTerms(1, 1, 2, 2, 2, 5, 7));

        long[] terms = {0, 1, 1, 2, 2, 2, 5, 7};
        for (int i = 0; i < terms.length; i++) {
            assertEquals(terms[i], log.termAt(i), "termAt(" + i + ")");
        }
        assertThrows(IndexOutOfBoundsException.class, () -> log.termAt(8), "termAt(lastIndex() + 1)");
        assertThrows(IndexOutOfBoundsException.class, () -> log.termAt(100), "termAt(100)");
        assertThrows(IndexOutOfBoundsException.class, () -> log.termAt(-1), "termAt(-1)");
        RaftLog again = crash(log);
        for (int i = 0; i < terms.length; i++) {
            assertEquals(terms[i], again.termAt(i), "termAt(" + i + ") after a crash");
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Hard state, broken mark, corruption

    @Test
    void theHardStateSavedIsReadBackAndSurvivesACrash() throws Exception {
        RaftLog log = fresh();
        List<HardState> states = List.of(new HardState(1, null), new HardState(1, "n2"), new HardState(2, "n1"),
                new HardState(5, null), new HardState(6, "nœud-7"), new HardState(1L << 40, "n3"));

        for (HardState s : states) {
            log.saveHardState(s);
            assertEquals(s, log.hardState(), "hardState() after saving " + s);
            log = crash(log);
            assertEquals(s, log.hardState(), "hardState() after saving " + s + " and a crash");
        }
    }

    @Test
    void theHardStateIsApartFromTheEntries() throws Exception {
        RaftLog log = fresh();
        log.saveHardState(new HardState(3, "n2"));

        log.append(entries(1, 4, 3));
        log.append(entries(2, 2, 4));

        assertEquals(new HardState(3, "n2"), log.hardState(), "hardState() after appends");
        log.saveHardState(new HardState(4, null));
        log = crash(log);
        assertEquals(new HardState(4, null), log.hardState(), "hardState() after a crash");
        assertHolds(log, concat(entries(1, 1, 3), entries(2, 2, 4)), "entries after a crash");
    }

    @Test
    void markBrokenMarksTheLogBrokenWithItsReason() throws Exception {
        RaftLog log = fresh();
        log.append(entries(1, 3, 1));
        String reason = "the state machine failed applying entry 3: java.lang.IllegalStateException: clé «a» "
                + "inconnue; " + "x".repeat(300);

        log.markBroken(reason);

        assertTrue(log.isBroken(), "isBroken() after markBroken");
        assertEquals(reason, log.brokenReason(), "brokenReason()");
    }

    @Test
    void theBrokenMarkAndItsReasonSurviveACrash() throws Exception {
        RaftLog log = fresh();
        log.append(entries(1, 3, 1));
        log.markBroken("its storage fails a checksum at start (entry 2 (term 1) fails its checksum)");

        log = crash(log);

        assertTrue(log.isBroken(), "isBroken() after a crash");
        assertEquals("its storage fails a checksum at start (entry 2 (term 1) fails its checksum)",
                log.brokenReason(), "brokenReason() after a crash");
        assertHolds(log, entries(1, 3, 1), "entries of a broken log");
    }

    @Test
    void anEntryWhoseStoredBytesChangedFailsItsChecksumWhenRead() throws Exception {
        RaftLog log = fresh();
        List<LogEntry> all = concat(entries(1, 4, 1), List.of(LogEntry.of(5, 1, EntryType.NOOP, 0, new byte[0])));
        log.append(all);

        corruptStoredEntry(log, 3);
        corruptStoredEntry(log, 5);
        RaftLog again = crash(log);

        assertThrows(CorruptEntryException.class, () -> again.read(3, 3, ALL), "read of the corrupted entry 3");
        assertThrows(CorruptEntryException.class, () -> again.read(1, 5, ALL), "read of a range holding entry 3");
        assertThrows(CorruptEntryException.class, () -> again.read(5, 5, ALL), "read of the corrupted entry 5");
        assertSameEntries(all.subList(0, 2), again.read(1, 2, ALL), "read of the intact entries before");
        assertSameEntries(all.subList(3, 4), again.read(4, 4, ALL), "read of the intact entry between");
    }

    // ---------------------------------------------------------------------------------------------------
    // Snapshots: writing and reading

    @Test
    void aCommittedSnapshotCarriesTheSizeAndCrc32cOfTheBytesWritten() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(withTerms(1, 1, 1, 2, 2, 2, 3, 3));
        byte[] data = bytes(1000, 1);
        byte[] padded = new byte[1100];
        System.arraycopy(data, 100, padded, 50, 900);

        SnapshotSink sink = log.beginSnapshot(6, 2, CONFIG);
        sink.write(data, 0, 100);
        sink.write(data, 100, 0);
        sink.write(padded, 50, 900);
        SnapshotMeta meta = sink.commit();

        assertEquals(6, meta.index(), "index");
        assertEquals(2, meta.term(), "term");
        assertEquals(CONFIG, meta.configuration(), "configuration");
        assertEquals(1000, meta.sizeBytes(), "sizeBytes");
        assertEquals(crc32c(data), meta.checksum(), "checksum: CRC32C of the bytes written");
        assertLatestSnapshot(log, meta, data, "after the commit");
    }

    @Test
    void aCommittedSnapshotSurvivesACrash() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));
        byte[] data = bytes(70_000, 2);
        SnapshotMeta meta = takeSnapshot(log, 7, 1, data);

        log = crash(log);

        assertLatestSnapshot(log, meta, data, "after a crash");
        assertEquals(CONFIG, log.snapshot().configuration(), "the snapshot's configuration after a crash");
        assertHolds(log, entries(1, 10, 1), "entries after a crash");
    }

    @Test
    void snapshotDataIsReadFromAnOffsetUpToMaxBytes() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 5, 1));
        byte[] data = bytes(1000, 3);
        SnapshotMeta meta = takeSnapshot(log, 5, 1, data);

        assertRead(log, meta, data, 0, 100);
        assertRead(log, meta, data, 100, 100);
        assertRead(log, meta, data, 500, 1);
        assertRead(log, meta, data, 950, 100);
        assertRead(log, meta, data, 999, 10);
        assertEquals(0, log.readSnapshot(meta, 1000, 100).length, "readSnapshot at the end of the data");
        assertThrows(IndexOutOfBoundsException.class, () -> log.readSnapshot(meta, -1, 100), "readSnapshot at -1");
        assertThrows(IndexOutOfBoundsException.class, () -> log.readSnapshot(meta, 1001, 100),
                "readSnapshot beyond the data");
    }

    /** readSnapshot at {@code offset} returns between 1 and {@code max} bytes, those of the data there. */
    private static void assertRead(RaftLog log, SnapshotMeta meta, byte[] data, int offset, int max) {
        byte[] part = log.readSnapshot(meta, offset, max);
        String what = "readSnapshot(" + offset + ", " + max + ") of " + data.length + " bytes";
        assertNotNull(part, what + " returned null");
        assertTrue(part.length > 0 && part.length <= Math.min(max, data.length - offset),
                what + " returned " + part.length + " bytes");
        assertArrayEquals(Arrays.copyOfRange(data, offset, offset + part.length), part, what);
    }

    @Test
    void openSnapshotStreamsEveryByte() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 5, 1));
        byte[] data = bytes(300_001, 4);
        SnapshotMeta meta = takeSnapshot(log, 4, 1, data);

        assertArrayEquals(data, readStream(log, meta), "openSnapshot's bytes");
    }

    @Test
    void aLargeSnapshotWrittenInOddSizedPiecesReadsBackIdentical() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 3, 1));
        byte[] data = bytes(5 * MIB + 12_345, 5);
        int[] pieces = {1, 8191, 65_537, 3, 300_000, 131_071, 77_777, 1_000_003};
        byte[] scratch = new byte[1_000_003 + 64];

        SnapshotSink sink = log.beginSnapshot(3, 1, CONFIG);
        int at = 0;
        for (int k = 0; at < data.length; k++) {
            int len = Math.min(pieces[k % pieces.length], data.length - at);
            int off = (k * 13) % (scratch.length - len + 1);
            System.arraycopy(data, at, scratch, off, len);
            sink.write(scratch, off, len);
            Arrays.fill(scratch, off, off + len, (byte) 0x5A); // the caller may reuse the array at once
            at += len;
        }
        SnapshotMeta meta = sink.commit();

        assertEquals(data.length, meta.sizeBytes(), "sizeBytes");
        assertEquals(crc32c(data), meta.checksum(), "checksum");
        assertArrayEquals(data, readWhole(log, meta, MIB), "the data read back in chunks of 1 MiB");
        log = crash(log);
        assertEquals(meta, log.snapshot(), "snapshot() after a crash");
        assertArrayEquals(data, readStream(log, meta), "the data streamed after a crash");
    }

    @Test
    void aReplacedSnapshotIsNoLongerServed() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));
        SnapshotMeta old = takeSnapshot(log, 4, 1, bytes(2000, 6));
        byte[] data = bytes(3000, 7);

        SnapshotMeta latest = takeSnapshot(log, 8, 1, data);

        assertNull(log.readSnapshot(old, 0, 100), "readSnapshot of the replaced snapshot");
        assertLatestSnapshot(log, latest, data, "the newer snapshot");
        log = crash(log);
        assertNull(log.readSnapshot(old, 0, 100), "readSnapshot of the replaced snapshot after a crash");
        assertLatestSnapshot(log, latest, data, "the newer snapshot after a crash");
    }

    @Test
    void nothingOfASnapshotIsVisibleBeforeItsCommit() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));
        byte[] first = bytes(1500, 8);

        SnapshotSink sink = log.beginSnapshot(3, 1, CONFIG);
        writeInPieces(sink, first, 500);
        assertNull(log.snapshot(), "snapshot() before the first snapshot's commit");
        assertNull(log.readSnapshot(new SnapshotMeta(3, 1, CONFIG, first.length, crc32c(first)), 0, 100),
                "readSnapshot of a snapshot not committed");
        SnapshotMeta committed = sink.commit();

        byte[] second = bytes(2500, 9);
        SnapshotSink next = log.beginSnapshot(9, 2, CONFIG);
        writeInPieces(next, second, 700);
        assertLatestSnapshot(log, committed, first, "before the second snapshot's commit");
        assertNull(log.readSnapshot(new SnapshotMeta(9, 2, CONFIG, second.length, crc32c(second)), 0, 100),
                "readSnapshot of a snapshot not committed");
        assertHolds(log, entries(1, 10, 1), "entries before the commit of a snapshot the log disagrees with");
        SnapshotMeta latest = next.commit();
        assertLatestSnapshot(log, latest, second, "after the second commit");
    }

    @Test
    void anAbortedSnapshotLeavesTheLogAsItWas() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));
        byte[] data = bytes(1200, 10);
        SnapshotMeta committed = takeSnapshot(log, 3, 1, data);

        SnapshotSink sink = log.beginSnapshot(8, 2, CONFIG); // term 2: the log disagrees with it
        writeInPieces(sink, bytes(4000, 11), 1000);
        sink.abort();
        sink.abort();

        assertLatestSnapshot(log, committed, data, "after the abort");
        assertHolds(log, entries(1, 10, 1), "entries after the abort");
        log = crash(log);
        assertLatestSnapshot(log, committed, data, "after the abort and a crash");
        assertHolds(log, entries(1, 10, 1), "entries after the abort and a crash");
        byte[] retried = bytes(900, 12);
        SnapshotMeta meta = takeSnapshot(log, 8, 1, retried);
        assertLatestSnapshot(log, meta, retried, "a snapshot at the aborted one's index, committed after");
    }

    @Test
    void aSnapshotAbandonedByACrashIsGoneAndLeavesNothingInTheNext() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));

        SnapshotSink abandoned = log.beginSnapshot(5, 1, CONFIG);
        writeInPieces(abandoned, bytes(200_000, 13), 4096);
        log = crash(log);

        assertNull(log.snapshot(), "snapshot() after a crash while one was written");
        assertHolds(log, entries(1, 10, 1), "entries after a crash while a snapshot was written");
        byte[] data = bytes(1000, 14);
        SnapshotMeta meta = takeSnapshot(log, 5, 1, data);
        assertEquals(data.length, meta.sizeBytes(), "sizeBytes of the snapshot after the abandoned one");
        assertEquals(crc32c(data), meta.checksum(), "checksum of the snapshot after the abandoned one");
        assertLatestSnapshot(log, meta, data, "the snapshot after the abandoned one");
        assertArrayEquals(data, readStream(log, meta), "the snapshot after the abandoned one, streamed");
    }

    // ---------------------------------------------------------------------------------------------------
    // Snapshots: the commit and the entries

    @Test
    void aCommitKeepsTheEntriesWhenTheLogHoldsTheSnapshotsLastEntry() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        List<LogEntry> all = withTerms(1, 1, 1, 2, 2, 2, 2, 3, 3, 3);
        log.append(all);

        takeSnapshot(log, 6, 2, bytes(500, 15));

        assertHolds(log, all, "entries after a snapshot at 6 of term 2");
        log = crash(log);
        assertHolds(log, all, "entries after a snapshot at 6 of term 2 and a crash");
    }

    @Test
    void aCommitDiscardsEveryEntryWhenTheLogHasAnotherTermAtTheSnapshotsIndex() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(withTerms(1, 1, 1, 2, 2, 2, 2, 3, 3, 3));
        byte[] data = bytes(500, 16);

        SnapshotMeta meta = takeSnapshot(log, 6, 3, data);

        assertHoldsNothingFrom(log, 7, 3, "after a snapshot at 6 of term 3 where the log has term 2");
        assertThrows(IndexOutOfBoundsException.class, () -> log.termAt(5), "termAt(5), a discarded entry");
        RaftLog again = crash(log);
        assertHoldsNothingFrom(again, 7, 3, "after the snapshot and a crash");
        assertLatestSnapshot(again, meta, data, "after the snapshot and a crash");
        again.append(entries(7, 8, 4));
        assertHolds(again, entries(7, 8, 4), "appending after the snapshot");
        assertEquals(3, again.termAt(6), "termAt(6) after appending");
    }

    @Test
    void aCommitDiscardsEveryEntryWhenTheLogEndsBeforeTheSnapshotsIndex() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 5, 1));

        takeSnapshot(log, 9, 2, bytes(300, 17));

        assertHoldsNothingFrom(log, 10, 2, "after a snapshot at 9 of a log ending at 5");
        log = crash(log);
        assertHoldsNothingFrom(log, 10, 2, "after the snapshot and a crash");

        RaftLog empty = fresh();
        byte[] data = bytes(300, 18);
        SnapshotMeta meta = takeSnapshot(empty, 4, 1, data);
        assertHoldsNothingFrom(empty, 5, 1, "after a snapshot installed on new storage");
        RaftLog emptyAgain = crash(empty);
        assertHoldsNothingFrom(emptyAgain, 5, 1, "after a snapshot installed on new storage and a crash");
        assertLatestSnapshot(emptyAgain, meta, data, "after a snapshot installed on new storage and a crash");
    }

    @Test
    void aSnapshotAtTheSameOrAnOlderIndexIsRefusedOnCommitAndChangesNothing() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));
        byte[] data = bytes(800, 19);
        SnapshotMeta committed = takeSnapshot(log, 6, 1, data);

        for (long index : new long[] {6, 4}) {
            // Of term 2, which the log disagrees with: a refused commit must not discard the entries either.
            SnapshotSink sink = log.beginSnapshot(index, 2, CONFIG);
            writeInPieces(sink, bytes(700, 20 + index), 300);
            assertThrows(IllegalStateException.class, sink::commit, "commit of a snapshot at " + index
                    + " when the latest is at 6");
            sink.abort(); // safe after a failed commit
            assertLatestSnapshot(log, committed, data, "after a refused commit at " + index);
            assertHolds(log, entries(1, 10, 1), "entries after a refused commit at " + index);
        }

        // Two written at once, the newer committed first: the older one is refused.
        byte[] newer = bytes(600, 30);
        SnapshotSink older = log.beginSnapshot(8, 2, CONFIG);
        SnapshotSink newest = log.beginSnapshot(9, 1, CONFIG);
        writeInPieces(older, bytes(600, 31), 200);
        writeInPieces(newest, newer, 200);
        SnapshotMeta latest = newest.commit();
        assertThrows(IllegalStateException.class, older::commit, "commit of a snapshot at 8 after one at 9");
        assertLatestSnapshot(log, latest, newer, "after the older snapshot was refused");
        assertHolds(log, entries(1, 10, 1), "entries after the older snapshot was refused");
    }

    // ---------------------------------------------------------------------------------------------------
    // Snapshots: compaction

    @Test
    void compactUpToMovesFirstIndexAndTermAtStillAnswersForTheLastDiscarded() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        List<LogEntry> all = withTerms(1, 1, 2, 2, 3, 3, 3, 4, 4, 4);
        log.append(all);
        takeSnapshot(log, 8, 4, bytes(400, 40));

        log.compactUpTo(5);
        assertHolds(log, all.subList(5, 10), "after compactUpTo(5)");
        assertEquals(3, log.termAt(5), "termAt(5), the last entry discarded");
        assertThrows(IndexOutOfBoundsException.class, () -> log.termAt(4), "termAt(4), discarded before");
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(5, 6, ALL), "read(5, 6) after compactUpTo(5)");

        log.compactUpTo(8);
        assertHolds(log, all.subList(8, 10), "after compactUpTo(8)");
        assertEquals(4, log.termAt(8), "termAt(8), the last entry discarded");

        log.compactUpTo(3);
        log.compactUpTo(8);
        assertHolds(log, all.subList(8, 10), "after compactUpTo of indexes already discarded");
        assertEquals(4, log.termAt(8), "termAt(8) after compactUpTo of indexes already discarded");
    }

    @Test
    void compactionIsAtomicAcrossACrashAndCanBeRepeated() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        List<LogEntry> all = withTerms(1, 1, 2, 2, 3, 3, 3, 4, 4, 4);
        log.append(all);
        takeSnapshot(log, 8, 4, bytes(400, 41));
        log.compactUpTo(5);
        log.compactUpTo(8);

        log = crash(log);

        // Compaction need not be durable at once, but the log is never seen holding part of a range discarded.
        long first = log.firstIndex();
        assertTrue(Set.of(1L, 6L, 9L).contains(first), "after compactions up to 5 then 8 and a crash, firstIndex() is "
                + first + ", inside a range discarded at once");
        assertHolds(log, all.subList((int) first - 1, 10), "after compactions and a crash");
        assertEquals(first == 1 ? 0 : all.get((int) first - 2).term(), log.termAt(first - 1),
                "termAt(firstIndex() - 1) after compactions and a crash");
        log.compactUpTo(8);
        assertHolds(log, all.subList(8, 10), "after compactUpTo(8) again");
        assertEquals(4, log.termAt(8), "termAt(8) after compactUpTo(8) again");
    }

    @Test
    void compactUpToBeyondTheLatestSnapshotIsRefusedAndChangesNothing() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));

        assertThrows(IllegalArgumentException.class, () -> log.compactUpTo(1), "compactUpTo(1) without a snapshot");
        assertHolds(log, entries(1, 10, 1), "after compactUpTo without a snapshot");
        takeSnapshot(log, 5, 1, bytes(100, 42));
        assertThrows(IllegalArgumentException.class, () -> log.compactUpTo(6), "compactUpTo(6), the snapshot at 5");
        assertThrows(IllegalArgumentException.class, () -> log.compactUpTo(10), "compactUpTo(10), the snapshot at 5");
        assertHolds(log, entries(1, 10, 1), "after refused compactions");
    }

    @Test
    void compactUpToTheSnapshotPastTheLastEntryDiscardsEveryEntry() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));
        takeSnapshot(log, 8, 1, bytes(100, 43));
        log.append(entries(6, 6, 1)); // the log now ends before the snapshot's index

        log.compactUpTo(8);

        assertHoldsNothingFrom(log, 9, 1, "after compactUpTo(8), the snapshot at 8 of term 1, of a log ending at 6");
    }

    @Test
    void appendsGoOnAfterCompactionButNotBelowFirstIndex() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        log.append(entries(1, 10, 1));
        takeSnapshot(log, 8, 1, bytes(100, 44));
        log.compactUpTo(8);

        log.append(entries(11, 12, 2));
        assertHolds(log, concat(entries(9, 10, 1), entries(11, 12, 2)), "after appending at lastIndex() + 1");
        assertThrows(RuntimeException.class, () -> log.append(entries(8, 9, 3)), "append at firstIndex() - 1");
        assertHolds(log, concat(entries(9, 10, 1), entries(11, 12, 2)), "after a refused append");
        log.append(entries(9, 9, 3));
        assertHolds(log, entries(9, 9, 3), "after replacing every entry from firstIndex()");
        assertEquals(1, log.termAt(8), "termAt(8), the last entry discarded");
        RaftLog again = crash(log);
        assertEquals(entries(9, 9, 3).get(0), again.read(9, 9, ALL).get(0), "entry 9 after a crash");
        assertEquals(9, again.lastIndex(), "lastIndex() after a crash");
    }

    // ---------------------------------------------------------------------------------------------------
    // Snapshots: another thread

    @Test
    void aSnapshotWrittenFromAnotherThreadWhileEntriesAreAppendedIsIntactAndSoAreThey() throws Exception {
        RaftLog log = fresh();
        if (lacksSnapshots(log)) {
            return;
        }
        List<LogEntry> expected = new ArrayList<>(entries(1, 10, 1));
        log.append(expected);
        byte[] oldData = bytes(20_000, 50);
        SnapshotMeta old = takeSnapshot(log, 5, 1, oldData);
        int rounds = 40;
        int piece = 4099;
        byte[] data = bytes(rounds * piece, 51);
        CyclicBarrier round = new CyclicBarrier(2);
        AtomicReference<SnapshotSink> written = new AtomicReference<>();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();

        // The snapshot executor begins the snapshot, writes it and serves the older one meanwhile.
        Thread writer = new Thread(() -> {
            try {
                SnapshotSink sink = log.beginSnapshot(10, 1, CONFIG);
                written.set(sink);
                for (int r = 0; r < rounds; r++) {
                    round.await(30, SECONDS);
                    sink.write(data, r * piece, piece);
                    int offset = (r * 500) % oldData.length;
                    byte[] part = log.readSnapshot(old, offset, 500);
                    if (part == null || part.length == 0
                            || !Arrays.equals(part, Arrays.copyOfRange(oldData, offset, offset + part.length))) {
                        throw new AssertionError("readSnapshot of the latest snapshot at " + offset
                                + " during appends returned " + (part == null ? "null" : part.length + " wrong bytes"));
                    }
                }
            } catch (Throwable e) {
                writerFailure.set(e);
                round.reset();
            }
        }, "raftlog-tck-snapshot-writer");
        writer.setDaemon(true);
        writer.start();
        // The storage executor appends meanwhile, one batch per piece written.
        try {
            for (int r = 0; r < rounds; r++) {
                round.await(30, SECONDS);
                List<LogEntry> batch = entries(11 + 2L * r, 12 + 2L * r, 2);
                log.append(batch);
                expected.addAll(batch);
            }
        } catch (BrokenBarrierException | TimeoutException e) {
            // the writer failed or never came: reported below
        } finally {
            round.reset();
            writer.join(60_000);
        }
        assertFalse(writer.isAlive(), "the snapshot writer thread did not finish");
        if (writerFailure.get() != null) {
            fail("the snapshot writer thread failed", writerFailure.get());
        }
        assertEquals(rounds * 2 + 10, expected.size(), "rounds of appends");

        SnapshotMeta meta = written.get().commit();

        assertEquals(data.length, meta.sizeBytes(), "sizeBytes");
        assertEquals(crc32c(data), meta.checksum(), "checksum");
        assertLatestSnapshot(log, meta, data, "the snapshot written from another thread");
        assertNull(log.readSnapshot(old, 0, 100), "readSnapshot of the replaced snapshot");
        assertHolds(log, expected, "entries appended while the snapshot was written");
    }
}
