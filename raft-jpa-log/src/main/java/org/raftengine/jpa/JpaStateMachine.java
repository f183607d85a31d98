package org.raftengine.jpa;

import jakarta.persistence.EntityManager;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.raftengine.core.RejectedCommandException;
import org.raftengine.core.TransientApplyException;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.StateSnapshot;

/**
 * A {@link StateMachine} whose state is the application's own JPA entities: for plain Java SE, and under
 * {@code raft-cdi}, whose commands are its {@code @Committed} events. Each command is applied by the
 * application's {@link Commands} in one transaction that also records the entry as applied and keeps its
 * outcome ({@link JpaAppliedState}): the change, the applied index and the outcome commit together, so a crash
 * never applies a command twice, and a client's re-sent command gets its original answer after a restart. The
 * node hands it batches of entries ({@link #appliesInBatches()}): each batch is one transaction, so one durable
 * commit for up to a thousand commands; a batch with a rejected command is applied again one entry per
 * transaction, so only that command's work is rolled back.
 *
 * <p>Failures: a {@link RejectedCommandException} from the commands rolls their work back and is the command's
 * outcome on every replica; a database that cannot be reached, a deadlock or a lock time-out becomes a
 * {@link TransientApplyException}, so the node retries the entry; anything else is taken for a bug.
 *
 * <p>With {@link Snapshots} the log can be compacted: a snapshot is written, on the apply thread, to a
 * temporary file (applies wait meanwhile, since the state is the live tables), then streamed from it.
 */
public final class JpaStateMachine implements StateMachine {
    private static final byte[] EMPTY = new byte[0];

    /** The application's commands, applied with the entity manager of the transaction that records them. */
    @FunctionalInterface
    public interface Commands {
        /**
         * Applies {@code command}, committed at {@code index}, through {@code em} (do not begin, commit or
         * close anything: the caller does).
         *
         * @return the result for the client (may be empty; null counts as empty)
         * @throws RejectedCommandException to refuse the command: its work is rolled back, the refusal is its
         *                                  outcome on every replica
         */
        byte[] apply(EntityManager em, long index, byte[] command);
    }

    /** The application's state written out and read back, for snapshots. */
    public interface Snapshots {
        /** Writes the whole state to {@code out}, reading through {@code em}. */
        void write(EntityManager em, OutputStream out) throws IOException;

        /** Replaces the whole state with what {@link #write} wrote, through {@code em} (deletes what is there). */
        void restore(EntityManager em, InputStream in) throws IOException;
    }

    private final JpaTransactions tx;
    private final JpaAppliedState applied;
    private final Commands commands;
    private final Snapshots snapshots;
    private volatile long lastApplied;
    /** The transaction of the batch being applied (apply thread only), or null between batches. */
    private TransactionStep step;
    /** The last index applied in {@link #step}, made {@link #lastApplied} by its commit. */
    private long stepApplied;
    /** The first index recorded in {@link #step}, 0 if none yet. */
    private long stepFirst;
    /** The outcomes of {@link #step} that need a row, written by its commit. */
    private final java.util.List<JpaAppliedState.Kept> stepOutcomes = new java.util.ArrayList<>();

    /** A state machine without snapshots (the log is never compacted). */
    public JpaStateMachine(JpaTransactions transactions, JpaAppliedState applied, Commands commands) {
        this(transactions, applied, commands, null);
    }

    /** A state machine with snapshots, so the log can be compacted. */
    public JpaStateMachine(JpaTransactions transactions, JpaAppliedState applied, Commands commands,
                           Snapshots snapshots) {
        this.tx = Objects.requireNonNull(transactions, "transactions");
        this.applied = Objects.requireNonNull(applied, "applied");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.snapshots = snapshots;
        this.lastApplied = applied.lastApplied();
    }

    @Override
    public long lastApplied() {
        return lastApplied;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        byte[] out = run("applying entry " + index, em -> {
            byte[] result = commands.apply(em, index, command);
            byte[] output = result == null ? EMPTY : result;
            record(em, index, AppliedOutcome.ok(output));
            return output;
        });
        applied(index);
        return out;
    }

    @Override
    public void recordApplied(long index) {
        run("recording entry " + index + " as applied", em -> {
            record(em, index, null);
            return null;
        });
        applied(index);
    }

    @Override
    public void recordRejected(long index, String reason) {
        run("recording entry " + index + " as rejected", em -> {
            record(em, index, AppliedOutcome.rejected(reason));
            return null;
        });
        applied(index);
    }

    /**
     * Records {@code index} as applied: at once between batches; inside a batch, in memory until
     * {@link #commitBatch}, which writes the applied index once for the whole batch and its kept outcomes in one
     * JDBC batch (the database's own check, that the recorded index is below the batch's first, runs then).
     */
    private void record(EntityManager em, long index, AppliedOutcome outcome) {
        if (step == null) {
            applied.record(em, index, outcome);
            return;
        }
        if (index <= stepApplied) {
            throw new IllegalStateException("entry " + index + " is recorded as applied in a batch that is at entry "
                    + stepApplied + " already");
        }
        if (stepFirst == 0) {
            stepFirst = index;
        }
        if (JpaAppliedState.needsRow(outcome)) {
            stepOutcomes.add(new JpaAppliedState.Kept(index, outcome));
        }
    }

    private void applied(long index) {
        if (step != null) {
            stepApplied = index;
        } else {
            lastApplied = index;
        }
    }

    /** {@inheritDoc} Always true: a batch of entries is one transaction, so one durable commit. */
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
        stepFirst = 0;
        stepOutcomes.clear();
    }

    @Override
    public void commitBatch() {
        TransactionStep s = step;
        step = null;
        try {
            if (stepFirst != 0) {
                applied.recordRange(s.entityManager(), stepFirst, stepApplied, stepOutcomes);
            }
            s.commit();
        } catch (RuntimeException e) {
            s.rollback(); // nothing left to undo if the commit itself failed
            throw classify("committing a batch", e);
        } finally {
            stepOutcomes.clear();
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

    @Override
    public StateSnapshot snapshot() {
        if (snapshots == null) {
            throw new UnsupportedOperationException("this JpaStateMachine was made without Snapshots");
        }
        Path file;
        try {
            file = Files.createTempFile("raftengine-snapshot-", ".bin");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for a snapshot", e);
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            run("writing a snapshot at entry " + lastApplied, em -> {
                try {
                    snapshots.write(em, out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                // The previous snapshot is committed by now: the outcomes it covers are never asked for again.
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
        return new StateSnapshot() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                try {
                    Files.copy(file, out);
                } finally {
                    deleteQuietly(file);
                }
            }

            @Override
            public void discard() {
                deleteQuietly(file);
            }
        };
    }

    @Override
    public void restore(long index, InputStream data) throws IOException {
        if (snapshots == null) {
            throw new UnsupportedOperationException("this JpaStateMachine was made without Snapshots");
        }
        try {
            run("restoring a snapshot at entry " + index, em -> {
                try {
                    snapshots.restore(em, data);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
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

    /**
     * Runs {@code work} in the batch's transaction, or in one of its own between batches; failures that a retry
     * may cure become {@link TransientApplyException}.
     */
    private <T> T run(String what, java.util.function.Function<EntityManager, T> work) {
        try {
            return step != null ? work.apply(step.entityManager()) : tx.inTransaction(work);
        } catch (RejectedCommandException | UncheckedIOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw classify(what, e);
        }
    }

    private static RuntimeException classify(String what, RuntimeException e) {
        if (DatabaseFailures.isTransient(e)) {
            return new TransientApplyException(what + " failed, to be retried: " + e.getMessage(), e);
        }
        return e;
    }
}
