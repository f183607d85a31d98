package org.raftengine.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.spi.CorruptEntryException;
import org.raftengine.core.spi.CorruptSnapshotException;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;
import org.raftengine.core.spi.SnapshotSink;
import org.raftengine.core.wire.ConfigurationCodec;

/**
 * A {@link RaftLog} on JPA entities in the application's own database: the {@code raft_} tables (see
 * {@link RaftSchema}), keyed by cluster id and node id, so several nodes and clusters may share one database.
 *
 * <p>The log works with the persistence unit the application gives it (it ships no {@code persistence.xml});
 * list {@link #ENTITY_CLASSES} in that unit. Every call is one transaction of its own, through
 * {@link JpaTransactions}: an append of a batch is one transaction (its rows inserted as one JDBC batch on the
 * transaction's connection, whatever the unit's {@code hibernate.jdbc.batch_size}), a truncation and the append that follows are one transaction, and
 * a call that fails leaves nothing written, so the node retries it. Entries read back are verified against
 * their checksum.
 *
 * <p>At {@link Builder#open()} the log checks that its tables are there at {@link RaftSchema#VERSION} (naming
 * a missing table or column), and that the database does not acknowledge commits before they are durable
 * (H2 without {@link #H2_DURABLE_URL_OPTIONS}, PostgreSQL with {@code fsync} or {@code synchronous_commit} off, MariaDB
 * with {@code innodb_flush_log_at_trx_commit} other than 1): it refuses to open on those unless
 * {@link Builder#acceptNonDurableDatabase()} says otherwise.
 *
 * <p>Threading: as {@link RaftLog} says, one storage thread at a time, plus snapshot reads and writes from
 * others; each call uses an entity manager of its own, and the few values cached here are volatile.
 */
public final class JpaRaftLog implements RaftLog {
    /**
     * What an H2 file URL needs for the log to open on it: commits written to the file before they are
     * acknowledged ({@code WRITE_DELAY=0}; H2 delays them by default), and every write appended to the file
     * rather than into space freed in it ({@code REUSE_SPACE=FALSE}: H2 2.5.252 lost the last acknowledged
     * commit after SIGKILL in some 5% of kills otherwise). Without reuse the file grows while the database is
     * open and H2 compacts it when it is closed cleanly.
     */
    public static final String H2_DURABLE_URL_OPTIONS = ";WRITE_DELAY=0;REUSE_SPACE=FALSE";

    private static final System.Logger LOG = System.getLogger(JpaRaftLog.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Entries fetched per query when reading a range. */
    private static final int READ_PAGE = 256;

    /** The entity classes to list in the persistence unit the log uses. */
    public static final List<Class<?>> ENTITY_CLASSES = List.of(NodeRow.class, HardStateRow.class, EntryRow.class,
            SnapshotRow.class, SnapshotChunkRow.class, AppliedRow.class, OutcomeRow.class);

    private final JpaTransactions tx;
    private final String clusterId;
    private final String nodeId;
    private final int snapshotChunkBytes;
    private final List<String> durabilityWarnings;

    private final long storageId;
    private volatile HardState hardState;
    private volatile long firstIndex;
    private volatile long compactedTerm;
    private volatile long lastIndex;
    private volatile long lastTerm;
    private volatile String brokenReason;
    /** The latest committed snapshot and its row id, or null. */
    private volatile Stored latest;

    private record Stored(long snapshotId, SnapshotMeta meta) {
    }

    /** A builder for a log of {@code transactions}' persistence unit. */
    public static Builder builder(JpaTransactions transactions) {
        return new Builder(transactions);
    }

    /** Options of a {@link JpaRaftLog}; {@link #open()} makes it. */
    public static final class Builder {
        private final JpaTransactions tx;
        private String clusterId = "default";
        private String nodeId;
        private int snapshotChunkBytes = 256 * 1024;
        private boolean acceptNonDurable;

        private Builder(JpaTransactions tx) {
            this.tx = Objects.requireNonNull(tx, "transactions");
        }

        /** The cluster's id (at most 64 characters); {@code "default"} unless set. */
        public Builder clusterId(String clusterId) {
            this.clusterId = checkId("cluster id", clusterId);
            return this;
        }

        /** This node's id (at most 64 characters); required. */
        public Builder nodeId(String nodeId) {
            this.nodeId = checkId("node id", nodeId);
            return this;
        }

        /** The size of the rows a snapshot's data is stored in (default 256 KiB). */
        public Builder snapshotChunkBytes(int bytes) {
            if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("snapshotChunkBytes must be between 1 KiB and 16 MiB: " + bytes);
            }
            this.snapshotChunkBytes = bytes;
            return this;
        }

        /**
         * Opens the log even on a database that may lose acknowledged commits (H2 in memory, delayed writes,
         * fsync off): only for tests and demos, where losing the log is acceptable. The problems are logged.
         */
        public Builder acceptNonDurableDatabase() {
            this.acceptNonDurable = true;
            return this;
        }

        /**
         * Checks the tables and the database's settings, creates this node's storage if it has none, and loads it.
         *
         * @throws JpaLogException if the database cannot be reached, the tables are missing or of another version,
         *                         or the database is not durable (and that was not accepted)
         */
        public JpaRaftLog open() {
            if (nodeId == null) {
                throw new IllegalStateException("a node id is required");
            }
            return new JpaRaftLog(this);
        }

        private static String checkId(String what, String id) {
            Objects.requireNonNull(id, what);
            if (id.isBlank() || id.length() > 64) {
                throw new IllegalArgumentException(what + " must be 1 to 64 characters: '" + id + "'");
            }
            return id;
        }
    }

    private JpaRaftLog(Builder b) {
        this.tx = b.tx;
        this.clusterId = b.clusterId;
        this.nodeId = b.nodeId;
        this.snapshotChunkBytes = b.snapshotChunkBytes;
        List<String> problems = checkDatabase();
        if (!problems.isEmpty()) {
            if (!b.acceptNonDurable) {
                throw new JpaLogException("the raft log of node " + nodeId + " refuses a database that may lose"
                        + " acknowledged commits: " + String.join("; ", problems)
                        + " (JpaRaftLog.Builder.acceptNonDurableDatabase() accepts it, for tests only)");
            }
            LOG.log(Level.WARNING, "raft log of node " + nodeId + " in cluster " + clusterId
                    + " is NOT durable: " + String.join("; ", problems));
        }
        this.durabilityWarnings = List.copyOf(problems);
        this.storageId = call("opening the storage", em -> {
            NodeRow node = em.find(NodeRow.class, new NodeKey(clusterId, nodeId));
            if (node == null) {
                node = new NodeRow(clusterId, nodeId, newStorageId());
                em.persist(node);
                em.persist(new HardStateRow(clusterId, nodeId));
                LOG.log(Level.INFO, "raft log of node " + nodeId + " in cluster " + clusterId
                        + ": new storage " + Long.toHexString(node.storageId));
            }
            return node.storageId;
        });
        call("cleaning snapshots left unfinished", em -> {
            em.createQuery("delete from RaftSnapshotChunk c where c.clusterId = :c and c.nodeId = :n and c.snapshotId"
                            + " not in (select s.snapshotId from RaftSnapshot s where s.clusterId = :c and s.nodeId = :n"
                            + " and s.committed = true)")
                    .setParameter("c", clusterId).setParameter("n", nodeId).executeUpdate();
            return em.createQuery("delete from RaftSnapshot s where s.clusterId = :c and s.nodeId = :n"
                            + " and s.committed = false")
                    .setParameter("c", clusterId).setParameter("n", nodeId).executeUpdate();
        });
        reload();
    }

    private static long newStorageId() {
        long id;
        do {
            id = RANDOM.nextLong();
        } while (id == 0);
        return id;
    }

    private List<String> checkDatabase() {
        return call("checking the raft_ tables", em -> {
            try {
                return em.callWithConnection((Connection c) -> {
                    RaftSchema.verify(c);
                    return DurabilityCheck.problems(c);
                });
            } catch (PersistenceException e) {
                throw e;
            } catch (RuntimeException e) {
                throw unwrapConnectionWork(e);
            }
        });
    }

    /**
     * What a function passed to {@code callWithConnection} threw, as a JpaLogException: Hibernate wraps whatever
     * the function throws (a JpaLogException naming a missing table, an SQLException of the metadata queries) in a
     * bare RuntimeException, which would otherwise escape {@link #call} unnamed and unconverted.
     */
    private static RuntimeException unwrapConnectionWork(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JpaLogException j) {
                return j;
            }
            if (t instanceof SQLException sql) {
                return new JpaLogException(sql.getMessage(), e);
            }
        }
        return e;
    }

    /** Reads the cached values from the database: at open, and after a write whose outcome is not known. */
    private void reload() {
        call("loading the storage", em -> {
            NodeRow node = em.find(NodeRow.class, new NodeKey(clusterId, nodeId));
            HardStateRow hs = em.find(HardStateRow.class, new NodeKey(clusterId, nodeId));
            hardState = new HardState(hs.term, hs.votedFor);
            firstIndex = node.firstIndex;
            compactedTerm = node.compactedTerm;
            brokenReason = node.broken ? node.brokenReason : null;
            List<Object[]> last = em.createQuery("select e.index, e.term from RaftEntry e where e.clusterId = :c"
                            + " and e.nodeId = :n order by e.index desc", Object[].class)
                    .setParameter("c", clusterId).setParameter("n", nodeId).setMaxResults(1).getResultList();
            if (last.isEmpty()) {
                lastIndex = node.firstIndex - 1;
                lastTerm = node.compactedTerm;
            } else {
                lastIndex = (Long) last.get(0)[0];
                lastTerm = (Long) last.get(0)[1];
            }
            List<SnapshotRow> snaps = em.createQuery("select s from RaftSnapshot s where s.clusterId = :c"
                            + " and s.nodeId = :n and s.committed = true order by s.index desc", SnapshotRow.class)
                    .setParameter("c", clusterId).setParameter("n", nodeId).setMaxResults(1).getResultList();
            latest = snaps.isEmpty() ? null : new Stored(snaps.get(0).snapshotId, meta(snaps.get(0)));
            return null;
        });
    }

    private static SnapshotMeta meta(SnapshotRow s) {
        return new SnapshotMeta(s.index, s.term, ConfigurationCodec.decode(s.configuration), s.sizeBytes, s.checksum);
    }

    /** Problems of the database's durability that were accepted at open (empty for a durable database). */
    public List<String> durabilityWarnings() {
        return durabilityWarnings;
    }

    /** The cluster id this log's rows are keyed by. */
    public String clusterId() {
        return clusterId;
    }

    /** The transactions this log runs its work in. */
    JpaTransactions transactions() {
        return tx;
    }

    /** The node id this log's rows are keyed by. */
    public String nodeId() {
        return nodeId;
    }

    /**
     * Runs {@code work} in a transaction; a database failure becomes a {@link JpaLogException} naming the node
     * and {@code what}. Checks of the arguments (IllegalArgumentException and the like) pass through.
     */
    private <T> T call(String what, Function<EntityManager, T> work) {
        try {
            return tx.inTransaction(work);
        } catch (PersistenceException | JpaLogException e) {
            throw new JpaLogException("raft log of node " + nodeId + " in cluster " + clusterId + ": " + what
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** As {@link #call}, for a write: if it fails, the cached values are read again (the write may have landed). */
    private <T> T write(String what, Function<EntityManager, T> work) {
        try {
            return call(what, work);
        } catch (JpaLogException e) {
            try {
                reload();
            } catch (JpaLogException stillDown) {
                e.addSuppressed(stillDown);
                stale = true;
            }
            throw e;
        }
    }

    /** True when a write failed and the cache could not be reloaded: reload before anything else. */
    private volatile boolean stale;

    private void freshen() {
        if (stale) {
            reload();
            stale = false;
        }
    }

    // ---- identity and hard state

    @Override
    public long storageId() {
        return storageId;
    }

    @Override
    public HardState hardState() {
        freshen();
        return hardState;
    }

    @Override
    public void saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        freshen();
        write("saving the hard state " + state, em -> em.createQuery("update RaftHardState h set h.term = :t,"
                        + " h.votedFor = :v where h.clusterId = :c and h.nodeId = :n")
                .setParameter("t", state.term()).setParameter("v", state.votedFor())
                .setParameter("c", clusterId).setParameter("n", nodeId).executeUpdate());
        hardState = state;
    }

    // ---- entries

    @Override
    public long firstIndex() {
        freshen();
        return firstIndex;
    }

    @Override
    public long lastIndex() {
        freshen();
        return lastIndex;
    }

    @Override
    public long termAt(long index) {
        freshen();
        if (index == 0) {
            return 0;
        }
        long first = firstIndex;
        if (index == first - 1) {
            return compactedTerm;
        }
        long last = lastIndex;
        if (index < first || index > last) {
            throw new IndexOutOfBoundsException("no entry " + index + ": the log holds " + describeRange());
        }
        if (index == last) {
            return lastTerm;
        }
        List<Long> terms = call("reading the term of entry " + index, em -> em.createQuery(
                        "select e.term from RaftEntry e where e.clusterId = :c and e.nodeId = :n and e.index = :i",
                        Long.class)
                .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("i", index).getResultList());
        if (terms.isEmpty()) {
            throw new CorruptEntryException("entry " + index + " of node " + nodeId + " is missing from raft_entry"
                    + " (the log holds " + describeRange() + ")");
        }
        return terms.get(0);
    }

    @Override
    public List<LogEntry> read(long fromIndex, long toIndex, long maxBytes) {
        freshen();
        if (toIndex < fromIndex) {
            return List.of();
        }
        if (fromIndex < firstIndex || toIndex > lastIndex) {
            throw new IndexOutOfBoundsException("cannot read entries " + fromIndex + ".." + toIndex
                    + ": the log holds " + describeRange());
        }
        List<LogEntry> result = new ArrayList<>((int) Math.min(toIndex - fromIndex + 1, READ_PAGE));
        long bytes = 0;
        long next = fromIndex;
        while (next <= toIndex) {
            long from = next;
            long to = Math.min(toIndex, from + READ_PAGE - 1);
            List<Object[]> rows = call("reading entries " + from + ".." + to, em -> em.createQuery(
                            "select e.index, e.term, e.type, e.requestId, e.data, e.checksum from RaftEntry e"
                                    + " where e.clusterId = :c and e.nodeId = :n and e.index between :f and :t"
                                    + " order by e.index", Object[].class)
                    .setParameter("c", clusterId).setParameter("n", nodeId)
                    .setParameter("f", from).setParameter("t", to).getResultList());
            for (Object[] r : rows) {
                long index = (Long) r[0];
                if (index != next) {
                    throw new CorruptEntryException("entry " + next + " of node " + nodeId
                            + " is missing from raft_entry (the log holds " + describeRange() + ")");
                }
                LogEntry e = new LogEntry(index, (Long) r[1], EntryType.ofCode(((Number) r[2]).intValue()),
                        (Long) r[3], (byte[]) r[4], (Integer) r[5]).verify();
                result.add(e);
                next++;
                bytes += e.sizeBytes();
                if (bytes >= maxBytes) {
                    return Collections.unmodifiableList(result);
                }
            }
            if (next <= to) {
                throw new CorruptEntryException("entry " + next + " of node " + nodeId
                        + " is missing from raft_entry (the log holds " + describeRange() + ")");
            }
        }
        return Collections.unmodifiableList(result);
    }

    @Override
    public void append(List<LogEntry> batch) {
        Objects.requireNonNull(batch, "entries");
        if (batch.isEmpty()) {
            return;
        }
        freshen();
        LogEntry first = Objects.requireNonNull(batch.get(0), "entry 0 of the batch is null");
        long start = first.index();
        long last = lastIndex;
        if (start < firstIndex || start > last + 1) {
            throw new IllegalArgumentException("cannot append a batch starting at index " + start
                    + ": it must start between " + firstIndex + " and " + (last + 1)
                    + " (the log holds " + describeRange() + ")");
        }
        for (int k = 1; k < batch.size(); k++) {
            LogEntry e = Objects.requireNonNull(batch.get(k), "an entry of the batch is null");
            if (e.index() != start + k) {
                throw new IllegalArgumentException("batch is not contiguous: entry " + k + " has index "
                        + e.index() + ", expected " + (start + k));
            }
        }
        LogEntry end = batch.get(batch.size() - 1);
        write("appending entries " + start + ".." + end.index(), em -> {
            if (start <= last) {
                // The replaced suffix goes in the same transaction as the append.
                em.createQuery("delete from RaftEntry e where e.clusterId = :c and e.nodeId = :n and e.index >= :i")
                        .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("i", start)
                        .executeUpdate();
            }
            insertEntries(em, batch);
            return null;
        });
        lastIndex = end.index();
        lastTerm = end.term();
    }

    private static final String INSERT_ENTRY = "INSERT INTO raft_entry (cluster_id, node_id, idx, term, entry_type,"
            + " request_id, data, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    /** Rows per JDBC batch, and bytes of entry data, before the batch is sent and a new one begun. */
    private static final int INSERT_BATCH_ROWS = 512;
    private static final long INSERT_BATCH_BYTES = 4L << 20;

    /**
     * The rows of {@code batch}, as one JDBC batch (or a few, for a large one) on the transaction's connection: the
     * same rows {@link EntryRow} maps, without an entity per entry in the persistence context, and batched whatever
     * the persistence unit's JDBC batch size.
     */
    private void insertEntries(EntityManager em, List<LogEntry> batch) {
        JdbcInTransaction.call(em, c -> {
            try (PreparedStatement insert = c.prepareStatement(INSERT_ENTRY)) {
                int rows = 0;
                long bytes = 0;
                for (LogEntry e : batch) {
                    insert.setString(1, clusterId);
                    insert.setString(2, nodeId);
                    insert.setLong(3, e.index());
                    insert.setLong(4, e.term());
                    insert.setShort(5, (short) e.type().code());
                    insert.setLong(6, e.requestId());
                    insert.setBytes(7, e.data());
                    insert.setInt(8, e.checksum());
                    insert.addBatch();
                    rows++;
                    bytes += e.data().length;
                    if (rows >= INSERT_BATCH_ROWS || bytes >= INSERT_BATCH_BYTES) {
                        insert.executeBatch();
                        rows = 0;
                        bytes = 0;
                    }
                }
                if (rows > 0) {
                    insert.executeBatch();
                }
            }
            return null;
        });
    }

    private String describeRange() {
        long first = firstIndex;
        long last = lastIndex;
        return last < first ? "no entries (next index " + first + ")" : "entries " + first + ".." + last;
    }

    // ---- snapshots and compaction

    /** {@inheritDoc} Always true. */
    @Override
    public boolean supportsSnapshots() {
        return true;
    }

    @Override
    public SnapshotMeta snapshot() {
        freshen();
        Stored s = latest;
        return s == null ? null : s.meta();
    }

    @Override
    public SnapshotSink beginSnapshot(long index, long term, ClusterConfiguration configuration) {
        Objects.requireNonNull(configuration, "configuration");
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("a snapshot covers index >= 1 of term >= 1, not " + index + "/" + term);
        }
        long id = newStorageId();
        byte[] config = ConfigurationCodec.encode(configuration);
        call("beginning snapshot " + index + "/" + term, em -> {
            em.persist(new SnapshotRow(clusterId, nodeId, id, index, term, config));
            return null;
        });
        return new Sink(id, index, term, configuration);
    }

    @Override
    public byte[] readSnapshot(SnapshotMeta which, long offset, int maxBytes) {
        Stored s = latest;
        if (s == null || !s.meta().sameAs(which)) {
            return null;
        }
        long size = s.meta().sizeBytes();
        if (offset < 0 || offset > size) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside snapshot data of " + size + " bytes");
        }
        int n = (int) Math.min(Math.max(0, maxBytes), size - offset);
        byte[] out = new byte[n];
        if (n == 0) {
            return out;
        }
        long end = offset + n;
        int copied = call("reading snapshot " + which.index() + "/" + which.term(), em -> {
            List<SnapshotChunkRow> chunks = new ArrayList<>(em.createQuery("select c from RaftSnapshotChunk c"
                            + " where c.clusterId = :c and c.nodeId = :n and c.snapshotId = :s"
                            + " and c.startOffset <= :o order by c.startOffset desc", SnapshotChunkRow.class)
                    .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("s", s.snapshotId())
                    .setParameter("o", offset).setMaxResults(1).getResultList());
            chunks.addAll(em.createQuery("select c from RaftSnapshotChunk c where c.clusterId = :c"
                            + " and c.nodeId = :n and c.snapshotId = :s and c.startOffset > :o and c.startOffset < :e"
                            + " order by c.startOffset", SnapshotChunkRow.class)
                    .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("s", s.snapshotId())
                    .setParameter("o", offset).setParameter("e", end).getResultList());
            int done = 0;
            for (SnapshotChunkRow c : chunks) {
                long at = offset + done;
                if (c.startOffset > at) {
                    break; // a gap: reported below
                }
                int from = (int) (at - c.startOffset);
                int k = Math.min(n - done, c.data.length - from);
                if (k > 0) {
                    System.arraycopy(c.data, from, out, done, k);
                    done += k;
                }
            }
            if (done < n && em.find(SnapshotRow.class, new SnapshotKey(clusterId, nodeId, s.snapshotId())) == null) {
                // A newer snapshot's commit deleted this one, row and chunks, and this instance's view has not
                // moved yet (it moves after that commit): replaced, not corrupt.
                return -1;
            }
            return done;
        });
        Stored now = latest;
        if (copied < 0 || now == null || now.snapshotId() != s.snapshotId()) {
            return null; // replaced while being read: its chunks may have gone meanwhile
        }
        if (copied < n) {
            throw new CorruptSnapshotException("snapshot " + which.index() + "/" + which.term() + " of node " + nodeId
                    + " lacks data at offset " + (offset + copied) + " of " + size + " bytes in raft_snapshot_chunk");
        }
        return out;
    }

    @Override
    public void compactUpTo(long index) {
        freshen();
        Stored s = latest;
        if (s == null || index > s.meta().index()) {
            throw new IllegalArgumentException("cannot compact up to " + index + ": the latest snapshot covers "
                    + (s == null ? "nothing" : "up to " + s.meta().index()));
        }
        if (index < firstIndex) {
            return;
        }
        long upTo;
        long term;
        if (index > lastIndex) {
            upTo = s.meta().index();
            term = s.meta().term();
        } else {
            upTo = index;
            term = termAt(index);
        }
        write("compacting up to " + upTo, em -> {
            em.createQuery("delete from RaftEntry e where e.clusterId = :c and e.nodeId = :n and e.index <= :i")
                    .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("i", upTo).executeUpdate();
            NodeRow node = em.find(NodeRow.class, new NodeKey(clusterId, nodeId));
            node.firstIndex = upTo + 1;
            node.compactedTerm = term;
            return null;
        });
        if (upTo >= lastIndex) {
            lastIndex = upTo;
            lastTerm = term;
        }
        compactedTerm = term;
        firstIndex = upTo + 1;
    }

    private SnapshotMeta commit(Sink sink, byte[] tail, int tailChunk, long tailOffset) {
        freshen();
        Stored before = latest;
        if (before != null && sink.index <= before.meta().index()) {
            throw new IllegalStateException("a snapshot at " + sink.index + " cannot replace the one at "
                    + before.meta().index());
        }
        boolean holdsLastEntry = sink.index >= firstIndex - 1 && sink.index <= lastIndex
                && termAt(sink.index) == sink.term;
        SnapshotMeta meta = new SnapshotMeta(sink.index, sink.term, sink.configuration, sink.size,
                (int) sink.crc.getValue());
        write("committing snapshot " + sink.index + "/" + sink.term, em -> {
            if (tail != null) {
                em.persist(new SnapshotChunkRow(clusterId, nodeId, sink.id, tailChunk, tailOffset, tail));
            }
            SnapshotRow row = em.find(SnapshotRow.class, new SnapshotKey(clusterId, nodeId, sink.id));
            if (row == null) {
                throw new JpaLogException("snapshot " + sink.index + "/" + sink.term + " of node " + nodeId
                        + " is gone from raft_snapshot (removed as unfinished by another opening of this node's log?)");
            }
            row.sizeBytes = meta.sizeBytes();
            row.checksum = meta.checksum();
            row.committed = true;
            if (before != null) {
                deleteSnapshot(em, before.snapshotId());
            }
            if (!holdsLastEntry) {
                // The snapshot replaces a log that disagrees with it, or that ends before it (Raft section 7).
                em.createQuery("delete from RaftEntry e where e.clusterId = :c and e.nodeId = :n")
                        .setParameter("c", clusterId).setParameter("n", nodeId).executeUpdate();
                NodeRow node = em.find(NodeRow.class, new NodeKey(clusterId, nodeId));
                node.firstIndex = sink.index + 1;
                node.compactedTerm = sink.term;
            }
            return null;
        });
        if (!holdsLastEntry) {
            firstIndex = sink.index + 1;
            compactedTerm = sink.term;
            lastIndex = sink.index;
            lastTerm = sink.term;
        }
        latest = new Stored(sink.id, meta);
        return meta;
    }

    private void deleteSnapshot(EntityManager em, long snapshotId) {
        em.createQuery("delete from RaftSnapshotChunk c where c.clusterId = :c and c.nodeId = :n and c.snapshotId = :s")
                .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("s", snapshotId).executeUpdate();
        em.createQuery("delete from RaftSnapshot s where s.clusterId = :c and s.nodeId = :n and s.snapshotId = :s")
                .setParameter("c", clusterId).setParameter("n", nodeId).setParameter("s", snapshotId).executeUpdate();
    }

    /** A snapshot being written: its chunks go in transactions of their own, under a row not yet committed. */
    private final class Sink implements SnapshotSink {
        final long id;
        final long index;
        final long term;
        final ClusterConfiguration configuration;
        final CRC32C crc = new CRC32C();
        final byte[] buffer = new byte[snapshotChunkBytes];
        int buffered;
        int chunks;
        long size;
        boolean done;

        Sink(long id, long index, long term, ClusterConfiguration configuration) {
            this.id = id;
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
                int k = Math.min(left, buffer.length - buffered);
                System.arraycopy(data, at, buffer, buffered, k);
                buffered += k;
                at += k;
                left -= k;
                size += k;
                if (buffered == buffer.length) {
                    flushChunk();
                }
            }
        }

        private void flushChunk() {
            byte[] chunk = java.util.Arrays.copyOf(buffer, buffered);
            int no = chunks;
            long start = size - buffered;
            call("writing chunk " + no + " of snapshot " + index + "/" + term, em -> {
                em.persist(new SnapshotChunkRow(clusterId, nodeId, id, no, start, chunk));
                return null;
            });
            chunks++;
            buffered = 0;
        }

        @Override
        public SnapshotMeta commit() {
            if (done) {
                throw new IllegalStateException("snapshot already committed or aborted");
            }
            byte[] tail = buffered > 0 ? java.util.Arrays.copyOf(buffer, buffered) : null;
            SnapshotMeta meta = JpaRaftLog.this.commit(this, tail, chunks, size - buffered);
            done = true;
            return meta;
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            Stored s = latest;
            if (s != null && s.snapshotId() == id) {
                return; // committed after all (a commit that failed late): nothing to undo
            }
            try {
                call("dropping unfinished snapshot " + index + "/" + term, em -> {
                    deleteSnapshot(em, id);
                    return null;
                });
            } catch (JpaLogException e) {
                // Left for the next opening of the log to remove, as after a crash.
                LOG.log(Level.WARNING, e.getMessage());
            }
        }
    }

    // ---- broken

    @Override
    public boolean isBroken() {
        freshen();
        return brokenReason != null;
    }

    @Override
    public String brokenReason() {
        freshen();
        return brokenReason;
    }

    /** {@inheritDoc} The first reason is kept: later failures are usually consequences of it. */
    @Override
    public void markBroken(String reason) {
        Objects.requireNonNull(reason, "reason");
        freshen();
        if (brokenReason != null) {
            return;
        }
        write("marking the log broken", em -> {
            NodeRow node = em.find(NodeRow.class, new NodeKey(clusterId, nodeId));
            if (!node.broken) {
                node.broken = true;
                node.brokenReason = reason.length() > 4000 ? reason.substring(0, 4000) : reason;
            }
            return null;
        });
        brokenReason = reason.length() > 4000 ? reason.substring(0, 4000) : reason;
    }

    @Override
    public String toString() {
        Stored s = latest;
        return "JpaRaftLog[" + clusterId + "/" + nodeId + ", id=" + Long.toHexString(storageId) + ", " + describeRange()
                + (s != null ? ", snapshot " + s.meta().index() + "/" + s.meta().term() : "") + "]";
    }
}
