package org.raftengine.core.spi;

/** Snapshot data whose size or checksum does not match its metadata: it was torn or corrupted. */
public final class CorruptSnapshotException extends RuntimeException {
    public CorruptSnapshotException(String message) {
        super(message);
    }
}
