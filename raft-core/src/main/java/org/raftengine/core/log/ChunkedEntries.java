package org.raftengine.core.log;

import java.util.ArrayList;
import java.util.List;
import org.raftengine.core.spi.LogEntry;

/**
 * A growable list of entries stored in fixed-size chunks: growing never copies what is already held,
 * so a log of millions of entries does not stall the JVM with huge array copies, and dropping a prefix
 * (compaction) releases whole chunks. Position 0 is the first entry held.
 */
final class ChunkedEntries {
    private static final int SHIFT = 12;
    private static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;

    /** An entry object on a 64-bit JVM with compressed references: header and fields, before its data. */
    private static final long ENTRY_OBJECT_BYTES = 48;
    private static final long ARRAY_HEADER_BYTES = 16;

    private final ArrayList<LogEntry[]> chunks = new ArrayList<>();
    /** Where position 0 lies in the first chunk. */
    private int head;
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
        int p = head + position;
        return chunks.get(p >>> SHIFT)[p & MASK];
    }

    void set(int position, LogEntry entry) {
        entryBytes += heapBytes(entry) - heapBytes(get(position));
        int p = head + position;
        chunks.get(p >>> SHIFT)[p & MASK] = entry;
    }

    void add(LogEntry entry) {
        int p = head + size;
        if ((p & MASK) == 0 && (p >>> SHIFT) == chunks.size()) {
            chunks.add(new LogEntry[CHUNK]);
        }
        chunks.get(p >>> SHIFT)[p & MASK] = entry;
        size++;
        entryBytes += heapBytes(entry);
    }

    /** Keeps the first {@code newSize} entries. */
    void truncate(int newSize) {
        for (int i = newSize; i < size; i++) {
            int p = head + i;
            entryBytes -= heapBytes(chunks.get(p >>> SHIFT)[p & MASK]);
            chunks.get(p >>> SHIFT)[p & MASK] = null;
        }
        size = Math.min(size, newSize);
        if (size == 0) {
            chunks.clear();
            head = 0;
            return;
        }
        while (chunks.size() > (head + size + CHUNK - 1) >>> SHIFT) {
            chunks.remove(chunks.size() - 1);
        }
    }

    /** Drops the first {@code count} entries (all of them if there are fewer); emptied chunks are released. */
    void dropFirst(int count) {
        int n = Math.min(count, size);
        for (int i = 0; i < n; i++) {
            int p = head + i;
            entryBytes -= heapBytes(chunks.get(p >>> SHIFT)[p & MASK]);
            chunks.get(p >>> SHIFT)[p & MASK] = null;
        }
        size -= n;
        head += n;
        if (size == 0) {
            chunks.clear();
            head = 0;
            return;
        }
        int emptied = head >>> SHIFT;
        if (emptied > 0) {
            chunks.subList(0, emptied).clear();
            head &= MASK;
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
