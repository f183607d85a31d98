package org.raftengine.core.log;

import java.util.ArrayList;
import java.util.List;
import org.raftengine.core.spi.LogEntry;

/**
 * A growable list of entries stored in fixed-size chunks: growing never copies what is already held,
 * so a log of millions of entries does not stall the JVM with huge array copies.
 */
final class ChunkedEntries {
    private static final int SHIFT = 12;
    private static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;

    /** An entry object on a 64-bit JVM with compressed references: header and fields, before its data. */
    private static final long ENTRY_OBJECT_BYTES = 48;
    private static final long ARRAY_HEADER_BYTES = 16;

    private final ArrayList<LogEntry[]> chunks = new ArrayList<>();
    private int size;
    private long entryBytes;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    LogEntry get(int position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("position " + position + " of " + size);
        }
        return chunks.get(position >>> SHIFT)[position & MASK];
    }

    void set(int position, LogEntry entry) {
        entryBytes += heapBytes(entry) - heapBytes(get(position));
        chunks.get(position >>> SHIFT)[position & MASK] = entry;
    }

    void add(LogEntry entry) {
        if ((size & MASK) == 0 && (size >>> SHIFT) == chunks.size()) {
            chunks.add(new LogEntry[CHUNK]);
        }
        chunks.get(size >>> SHIFT)[size & MASK] = entry;
        size++;
        entryBytes += heapBytes(entry);
    }

    /** Keeps the first {@code newSize} entries. */
    void truncate(int newSize) {
        for (int i = newSize; i < size; i++) {
            entryBytes -= heapBytes(chunks.get(i >>> SHIFT)[i & MASK]);
            chunks.get(i >>> SHIFT)[i & MASK] = null;
        }
        size = Math.min(size, newSize);
        while (chunks.size() > (size + CHUNK - 1) >>> SHIFT) {
            chunks.remove(chunks.size() - 1);
        }
    }

    /**
     * An estimate of the heap these entries hold: each entry object with its data array, and the chunks
     * of references (a 64-bit JVM with compressed references). Entries shared with another holder are
     * counted here all the same.
     */
    long heapBytes() {
        return entryBytes + chunks.size() * (ARRAY_HEADER_BYTES + 4L * CHUNK);
    }

    private static long heapBytes(LogEntry e) {
        return ENTRY_OBJECT_BYTES + ((ARRAY_HEADER_BYTES + e.data().length + 7) & ~7L);
    }

    List<LogEntry> toList() {
        List<LogEntry> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(get(i));
        }
        return out;
    }
}
