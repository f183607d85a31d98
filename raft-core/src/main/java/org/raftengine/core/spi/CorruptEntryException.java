package org.raftengine.core.spi;

/** An entry whose checksum does not match its content: it was torn or corrupted in storage or transit. */
public final class CorruptEntryException extends RuntimeException {
    public CorruptEntryException(String message) {
        super(message);
    }
}
