package org.raftengine.cdi;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import jakarta.persistence.EntityManager;
import org.raftengine.core.RejectedCommandException;
import org.raftengine.core.TransientApplyException;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.StateSnapshot;
import org.raftengine.jpa.DatabaseFailures;
import org.raftengine.jpa.JpaAppliedState;
import org.raftengine.jpa.JpaTransactions;
import org.raftengine.jpa.TransactionStep;

/**
 * The state machine of {@code raft.log=jpa}: each batch of committed entries in one JTA transaction that fires their
 * {@code @Committed} events (observers join the transaction and do their own JPA work) and records the entry
 * as applied, with its outcome, through {@link JpaAppliedState}; then commits. So the observers' changes, the
 * applied index and the outcome commit or roll back together: a crash before the commit applies the entry
 * again after the restart, a crash after it never does, and a client's re-sent command gets its original
 * answer. Failures: a {@link RejectedCommandException} rolls the observers' work back and is the command's
 * outcome everywhere (recorded in a transaction of its own); a failure of the database's state (see
 * {@link DatabaseFailures}) is a {@link TransientApplyException}, retried; anything else is taken for a bug.
 */
final class TransactionalEvents implements StateMachine {
    private final JpaTransactions tx;
    private final JpaAppliedState applied;
    private final CommandEvents events;
    private final RaftSnapshots snapshots;
    private volatile long lastApplied;
    /** The JTA transaction of the batch being applied (apply thread only), or null between batches. */
    private TransactionStep step;
    /** The last index applied in {@link #step}, made {@link #lastApplied} by its commit. */
    private long stepApplied;

    TransactionalEvents(JpaTransactions tx, JpaAppliedState applied, CommandEvents events, RaftSnapshots snapshots) {
        this.tx = tx;
        this.applied = applied;
        this.events = events;
        this.snapshots = snapshots;
        this.lastApplied = applied.lastApplied();
    }

    @Override
    public long lastApplied() {
        return lastApplied;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        byte[] result = run("applying entry " + index, em -> {
            CommittedCommand c = events.fire(index, command);
            applied.record(em, index, AppliedOutcome.ok(c.result()));
            return c.result();
        });
        applied(index);
        return result;
    }

    @Override
    public void recordApplied(long index) {
        run("recording entry " + index + " as applied", em -> {
            applied.record(em, index, null);
            return null;
        });
        applied(index);
    }

    @Override
    public void recordRejected(long index, String reason) {
        run("recording entry " + index + " as rejected", em -> {
            applied.record(em, index, AppliedOutcome.rejected(reason));
            return null;
        });
        applied(index);
    }

    private void applied(long index) {
        if (step != null) {
            stepApplied = index;
        } else {
            lastApplied = index;
        }
    }

    /**
     * {@inheritDoc} Always true: a batch of committed entries is one JTA transaction (each entry with its own
     * request context), so one durable commit for the batch; a batch in which a command is rejected is applied
     * again one entry per transaction, so only that command's work is rolled back.
     */
    @Override
    public boolean appliesInBatches() {
        return true;
    }

    @Override
    public void beginBatch() {
        if (step != null) {
            throw new IllegalStateException("a batch is being applied already");
        }
        try {
            step = TransactionStep.begin(tx);
        } catch (RuntimeException e) {
            throw classify("beginning a batch", e);
        }
        stepApplied = lastApplied;
    }

    @Override
    public void commitBatch() {
        TransactionStep s = step;
        step = null;
        try {
            s.commit();
        } catch (RuntimeException e) {
            throw classify("committing a batch", e);
        }
        lastApplied = stepApplied;
    }

    @Override
    public void abortBatch() {
        TransactionStep s = step;
        step = null;
        if (s != null) {
            s.rollback();
        }
    }

    /** {@inheritDoc} Always true: outcomes are kept in {@code raft_outcome}. */
    @Override
    public boolean keepsOutcomes() {
        return true;
    }

    @Override
    public AppliedOutcome outcomeAt(long index) {
        return applied.outcomeAt(index);
    }

    @Override
    public boolean supportsSnapshots() {
        return snapshots != null;
    }

    /**
     * Writes the application's state to a temporary file, on the apply thread (applies wait: the state is the
     * live tables), and streams the file from there.
     */
    @Override
    public StateSnapshot snapshot() {
        Path file;
        try {
            file = Files.createTempFile("raftengine-snapshot-", ".bin");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for a snapshot", e);
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            run("writing a snapshot at entry " + lastApplied, em -> {
                write(out);
                applied.forgetCoveredOutcomes(em);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException("cannot write a snapshot to " + file, (IOException) e);
        }
        return out -> {
            try {
                Files.copy(file, out);
            } finally {
                deleteQuietly(file);
            }
        };
    }

    private void write(OutputStream out) {
        events.inRequestContext(() -> {
            try {
                snapshots.write(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        });
    }

    @Override
    public void restore(long index, InputStream data) throws IOException {
        try {
            run("restoring a snapshot at entry " + index, em -> {
                events.inRequestContext(() -> {
                    try {
                        snapshots.restore(data);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                });
                applied.restoredTo(em, index);
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        lastApplied = index;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A temporary file; the system cleans it up eventually.
        }
    }

    /** Runs {@code work} in the batch's transaction, or in one of its own between batches. */
    private <T> T run(String what, Function<EntityManager, T> work) {
        try {
            return step != null ? work.apply(step.entityManager()) : tx.inTransaction(work);
        } catch (RejectedCommandException | UncheckedIOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw classify(what, e);
        }
    }

    /** A failure of the database's state becomes a {@link TransientApplyException}: the node retries it. */
    private static RuntimeException classify(String what, RuntimeException e) {
        if (DatabaseFailures.isTransient(e)) {
            return new TransientApplyException(what + " failed, to be retried: " + e.getMessage(), e);
        }
        return e;
    }
}
