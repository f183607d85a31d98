package org.raftengine.core.spi;

import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One entry of the replicated log.
 *
 * <p>Every entry carries a CRC32C checksum over its index, term, type, request id and data, computed
 * once when the entry is made ({@link #of}) and checked with {@link #verify()} whenever the entry is
 * read back from storage or decoded from a frame, so a torn or corrupted entry is never served.
 *
 * @param index     position in the log, from 1
 * @param term      the term of the leader that created the entry
 * @param type      what the entry holds
 * @param requestId the id of a forwarded command (so a duplicate is recognised), or 0
 * @param data      the payload; never modified after the entry is made
 * @param checksum  CRC32C of all the other fields
 */
public record LogEntry(long index, long term, EntryType type, long requestId, byte[] data, int checksum) {

    /** Fixed per-entry overhead counted toward byte limits, besides the data. */
    public static final int OVERHEAD_BYTES = 8 + 8 + 1 + 8 + 4 + 4;

    public LogEntry {
        if (type == null || data == null) {
            throw new IllegalArgumentException("an entry needs a type and data");
        }
    }

    /** Makes an entry and computes its checksum. */
    public static LogEntry of(long index, long term, EntryType type, long requestId, byte[] data) {
        return new LogEntry(index, term, type, requestId, data, checksumOf(index, term, type, requestId, data));
    }

    /** Makes a command entry without a request id. */
    public static LogEntry command(long index, long term, byte[] data) {
        return of(index, term, EntryType.COMMAND, 0, data);
    }

    /** The checksum the given fields should carry. */
    public static int checksumOf(long index, long term, EntryType type, long requestId, byte[] data) {
        // The 25 header bytes (index, term, type, request id; big-endian) go in one by one rather than
        // through an array: one entry per command, and a header array each was a tenth of all allocation.
        CRC32C crc = new CRC32C();
        updateLong(crc, index);
        updateLong(crc, term);
        crc.update(type.code());
        updateLong(crc, requestId);
        crc.update(data);
        return (int) crc.getValue();
    }

    private static void updateLong(CRC32C crc, long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            crc.update((int) (v >>> shift));
        }
    }

    /** True if the checksum matches the content. */
    public boolean isIntact() {
        return checksum == checksumOf(index, term, type, requestId, data);
    }

    /**
     * Checks the checksum.
     *
     * @return this entry
     * @throws CorruptEntryException if it does not match
     */
    public LogEntry verify() {
        if (!isIntact()) {
            throw new CorruptEntryException("entry " + index + " (term " + term + ") fails its checksum");
        }
        return this;
    }

    /** The bytes this entry counts for in batch and memory limits. */
    public long sizeBytes() {
        return OVERHEAD_BYTES + data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e
                && index == e.index && term == e.term && type == e.type && requestId == e.requestId
                && checksum == e.checksum && Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Long.hashCode(term) * 17 + checksum;
    }

    @Override
    public String toString() {
        return "LogEntry[" + index + "/" + term + " " + type + (requestId != 0 ? " req=" + requestId : "")
                + " " + data.length + "B]";
    }
}
