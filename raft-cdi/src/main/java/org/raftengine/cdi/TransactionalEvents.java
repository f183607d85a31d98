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

/**
 * The state machine of {@code raft.log=jpa}: each committed entry in one JTA transaction that fires its
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
        lastApplied = index;
        return result;
    }

    @Override
    public void recordApplied(long index) {
        run("recording entry " + index + " as applied", em -> {
            applied.record(em, index, null);
            return null;
        });
        lastApplied = index;
    }

    @Override
    public void recordRejected(long index, String reason) {
        run("recording entry " + index + " as rejected", em -> {
            applied.record(em, index, AppliedOutcome.rejected(reason));
            return null;
        });
        lastApplied = index;
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

    private <T> T run(String what, Function<EntityManager, T> work) {
        try {
            return tx.inTransaction(work);
        } catch (RejectedCommandException | UncheckedIOException e) {
            throw e;
        } catch (RuntimeException e) {
            if (DatabaseFailures.isTransient(e)) {
                throw new TransientApplyException(what + " failed, to be retried: " + e.getMessage(), e);
            }
            throw e;
        }
    }
}
