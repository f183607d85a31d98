package org.raftengine.core.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.SnapshotMeta;

/**
 * A stored snapshot's data, read through once against its size and checksum before it is handed out. A
 * reader that stops where its format ends (a state machine's restore, the session table) would otherwise
 * never reach the end of the data, where the stream checks the checksum, and would use torn bytes.
 */
final class VerifiedSnapshot {
    private VerifiedSnapshot() {
    }

    /**
     * Opens {@code meta}'s data after checking all of it.
     *
     * @throws org.raftengine.core.spi.CorruptSnapshotException if it fails its size or checksum
     * @throws UncheckedIOException                             if it cannot be read (replaced meanwhile)
     */
    static InputStream open(RaftLog log, SnapshotMeta meta) {
        try (InputStream check = log.openSnapshot(meta)) {
            check.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot " + meta.index() + "/" + meta.term() + " cannot be read", e);
        }
        return log.openSnapshot(meta);
    }
}
