package org.raftengine.core.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;

/**
 * A growable run of contiguous entries stored column by column in fixed-size chunks: a chunk keeps its entries'
 * terms, request ids, checksums and types in primitive arrays and their data back to back in one byte array.
 * Position 0 is the first entry held; entry indexes follow from it.
 *
 * <p>Why columns rather than the entry objects: an in-memory log holds up to a snapshot threshold of entries
 * (100,000 by default), all live at every young collection. Held as objects (an entry and its data array, two
 * objects each) they made the collector trace and copy hundreds of thousands of objects per pause, and a 3-node
 * cluster at 64 clients saw its longest pauses, and so its longest commit latencies, grow with the log. Held
 * here they are a few primitive arrays per 1,024 entries, which the collector copies without looking inside.
 * An entry read back is a new {@link LogEntry} with a copy of its data: the engine keeps its recent entries
 * itself and reads the log only for a lagging follower.
 *
 * <p>Growing never copies a chunk already full, and dropping a prefix (compaction) releases whole chunks.
 */
final class ChunkedEntries {
    private static final int SHIFT = 10;
    static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;
    private static final int FIRST_DATA_BYTES = 4 << 10;
    /** A new chunk's data array starts as large as the last chunk's data, up to this; then it doubles as needed. */
    private static final int MAX_PRESIZED_DATA_BYTES = 16 << 20;

    private static final long ARRAY_HEADER_BYTES = 16;
    /** A chunk's own arrays without its data: two long, two int and one byte column, and the chunk object. */
    static final long CHUNK_FIXED_BYTES = 5 * ARRAY_HEADER_BYTES + CHUNK * (8L + 8 + 4 + 4 + 1) + 32;

    /** Up to {@link #CHUNK} entries, slot 0 first, their data back to back. */
    private static final class Chunk {
        final long[] terms = new long[CHUNK];
        final long[] requestIds = new long[CHUNK];
        final int[] checksums = new int[CHUNK];
        final byte[] types = new byte[CHUNK];
        /** Where each slot's data ends in {@link #data}; it starts where the slot before ends (slot 0: at 0). */
        final int[] ends = new int[CHUNK];
        byte[] data;

        Chunk(int dataBytes) {
            data = new byte[dataBytes];
        }

        int start(int slot) {
            return slot == 0 ? 0 : ends[slot - 1];
        }

        void put(int slot, LogEntry e) {
            byte[] d = e.data();
            int from = start(slot);
            int end = Math.addExact(from, d.length);
            if (end > data.length) {
                data = Arrays.copyOf(data, Math.max(end, (int) Math.min(Integer.MAX_VALUE - 8, 2L * data.length)));
            }
            System.arraycopy(d, 0, data, from, d.length);
            ends[slot] = end;
            terms[slot] = e.term();
            requestIds[slot] = e.requestId();
            checksums[slot] = e.checksum();
            types[slot] = (byte) e.type().code();
        }

        /**
         * Gives slot {@code slot} room for {@code length} bytes of data instead of its own, moving the data of the
         * slots after it, up to {@code lastSlot} (the last one in use); {@link #put} then writes the slot.
         */
        void resizeSlot(int slot, int length, int lastSlot) {
            int from = start(slot);
            int oldEnd = ends[slot];
            int tailEnd = ends[lastSlot];
            int delta = length - (oldEnd - from);
            byte[] next = new byte[Math.max(FIRST_DATA_BYTES, tailEnd + delta)];
            System.arraycopy(data, 0, next, 0, from);
            System.arraycopy(data, oldEnd, next, from + length, tailEnd - oldEnd);
            data = next;
            for (int s = slot; s <= lastSlot; s++) {
                ends[s] += delta;
            }
        }

        LogEntry entry(int slot, long index) {
            EntryType type = EntryType.ofCode(types[slot]);
            return new LogEntry(index, terms[slot], type, requestIds[slot],
                    Arrays.copyOfRange(data, start(slot), ends[slot]), checksums[slot]);
        }
    }

    private final ArrayList<Chunk> chunks = new ArrayList<>();
    /** Where position 0 lies in the first chunk. */
    private int head;
    private int size;
    /** The index of the entry at position 0 (meaningless while empty). */
    private long firstIndex;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    LogEntry get(int position) {
        checkPosition(position);
        int p = head + position;
        return chunks.get(p >>> SHIFT).entry(p & MASK, firstIndex + position);
    }

    /** The term of the entry at {@code position}, read without making the entry. */
    long termAt(int position) {
        checkPosition(position);
        int p = head + position;
        return chunks.get(p >>> SHIFT).terms[p & MASK];
    }

    /** Replaces the entry at {@code position} with another of the same index (a test's corruption). */
    void set(int position, LogEntry entry) {
        checkPosition(position);
        if (entry.index() != firstIndex + position) {
            throw new IllegalArgumentException("entry " + entry.index() + " cannot replace entry "
                    + (firstIndex + position));
        }
        int p = head + position;
        int chunk = p >>> SHIFT;
        Chunk c = chunks.get(chunk);
        int slot = p & MASK;
        if (entry.data().length != c.ends[slot] - c.start(slot)) {
            // Every chunk but the last is full.
            int lastSlot = chunk == chunks.size() - 1 ? (head + size - 1) & MASK : MASK;
            c.resizeSlot(slot, entry.data().length, lastSlot);
        }
        c.put(slot, entry);
    }

    /** Adds {@code entry} after the last one; its index must follow the last one's. */
    void add(LogEntry entry) {
        if (size == 0) {
            firstIndex = entry.index();
        } else if (entry.index() != firstIndex + size) {
            throw new IllegalArgumentException("entry " + entry.index() + " does not follow entry "
                    + (firstIndex + size - 1));
        }
        int p = head + size;
        int chunk = p >>> SHIFT;
        if (chunk == chunks.size()) {
            // Sized like the chunk before, which is full (an eighth more), so that in a steady flow a chunk's data
            // array is made once, not doubled up from small.
            int before = chunks.isEmpty() ? 0 : chunks.get(chunk - 1).ends[MASK];
            int expected = Math.max(FIRST_DATA_BYTES, Math.min(MAX_PRESIZED_DATA_BYTES, before + before / 8));
            chunks.add(new Chunk(expected));
        }
        chunks.get(chunk).put(p & MASK, entry);
        size++;
    }

    /** Keeps the first {@code newSize} entries. */
    void truncate(int newSize) {
        if (newSize <= 0) {
            clear();
            return;
        }
        if (newSize >= size) {
            return;
        }
        size = newSize;
        int end = head + size; // one past the last slot kept, counted from the first chunk's slot 0
        while (chunks.size() > (end + CHUNK - 1) >>> SHIFT) {
            chunks.remove(chunks.size() - 1);
        }
    }

    /**
     * Drops the first {@code count} entries (all of them if there are fewer). Chunks it empties are released
     * whole, without reading them (compaction drops old entries, long gone from the CPU's caches).
     */
    void dropFirst(int count) {
        int n = Math.min(count, size);
        if (n == size) {
            clear();
            return;
        }
        int newHead = head + n;
        int emptied = newHead >>> SHIFT;
        size -= n;
        firstIndex += n;
        head = newHead & MASK;
        if (emptied > 0) {
            chunks.subList(0, emptied).clear();
        }
    }

    private void clear() {
        chunks.clear();
        head = 0;
        size = 0;
    }

    /** The heap held: each chunk's columns and its data array, whole (dropped slots included). */
    long heapBytes() {
        long bytes = 0;
        for (Chunk c : chunks) {
            bytes += CHUNK_FIXED_BYTES + ARRAY_HEADER_BYTES + c.data.length;
        }
        return bytes;
    }

    /** Chunks held (for tests of what is released). */
    int chunkCount() {
        return chunks.size();
    }

    /** Every entry held, in order, as new objects. */
    List<LogEntry> toList() {
        List<LogEntry> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(get(i));
        }
        return out;
    }

    private void checkPosition(int position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("position " + position + " of " + size);
        }
    }
}
