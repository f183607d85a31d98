package org.raftengine.core.engine;

import java.util.Arrays;
import java.util.List;
import org.raftengine.core.spi.LogEntry;

/**
 * The recent entries of the log, held in memory (a ring buffer over indexes {@code start..last}) so
 * that replication, group commit and apply never wait on storage for fresh entries. Only entries that
 * are durable and applied are ever evicted; older ones are read from storage when a lagging follower
 * needs them.
 */
final class EntryTail {
    private LogEntry[] ring = new LogEntry[1024];
    private int head;
    private int size;
    private long start;
    /** The last complete slice handed out, from {@code sliceFrom} to {@code sliceEnd}, and its bytes. */
    private List<LogEntry> slice;
    private long sliceFrom = -1;
    private long sliceEnd;
    private long sliceBytes;

    /** An empty tail whose first entry will be {@code start}. */
    EntryTail(long start) {
        this.start = start;
    }

    long start() {
        return start;
    }

    long last() {
        return start + size - 1;
    }

    boolean contains(long index) {
        return index >= start && index < start + size;
    }

    LogEntry get(long index) {
        if (!contains(index)) {
            throw new IndexOutOfBoundsException("entry " + index + " not in memory [" + start + ", " + last() + "]");
        }
        return ring[(head + (int) (index - start)) & (ring.length - 1)];
    }

    void append(LogEntry entry) {
        if (entry.index() != start + size) {
            throw new IllegalStateException("append of " + entry.index() + " to a tail ending at " + last());
        }
        if (size == ring.length) {
            LogEntry[] bigger = new LogEntry[ring.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) & (ring.length - 1)];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) & (ring.length - 1)] = entry;
        size++;
    }

    /** Drops every entry from {@code index} on. */
    void truncateFrom(long index) {
        forgetSlice();
        long keep = Math.max(0, Math.min(size, index - start));
        for (long i = keep; i < size; i++) {
            ring[(head + (int) i) & (ring.length - 1)] = null;
        }
        size = (int) keep;
        if (size == 0) {
            start = Math.min(start, index);
        }
    }

    /** Drops every entry up to and including {@code index}. */
    void evictUpTo(long index) {
        if (sliceFrom >= 0 && sliceFrom <= index) {
            forgetSlice();
        }
        while (size > 0 && start <= index) {
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            size--;
            start++;
        }
        if (size == 0 && start <= index) {
            start = index + 1;
        }
    }

    /** Entries from {@code from} to {@code to}, at most {@code maxEntries} and about {@code maxBytes}. */
    List<LogEntry> slice(long from, long to, int maxEntries, long maxBytes) {
        long end = Math.min(to, Math.min(last(), from + maxEntries - 1));
        if (from > end) {
            return List.of();
        }
        // Each follower and the storage write usually ask for the very same entries in one event: one list
        // serves them all (entries are immutable, and only a truncation could change what it holds).
        if (from == sliceFrom && end == sliceEnd && sliceBytes <= maxBytes) {
            return slice;
        }
        LogEntry[] out = new LogEntry[(int) (end - from + 1)];
        int n = 0;
        long bytes = 0;
        for (long i = from; i <= end; i++) {
            LogEntry e = get(i);
            bytes += e.sizeBytes();
            if (n > 0 && bytes > maxBytes) {
                break;
            }
            out[n++] = e;
        }
        // Immutable, so AppendEntries takes it as it is instead of copying it once more.
        List<LogEntry> result = List.of(n == out.length ? out : Arrays.copyOf(out, n));
        if (n == out.length) {
            sliceFrom = from;
            sliceEnd = end;
            sliceBytes = bytes;
            slice = result;
        }
        return result;
    }

    private void forgetSlice() {
        sliceFrom = -1;
        slice = null;
    }

    @Override
    public String toString() {
        return "EntryTail[" + start + ".." + last() + "]";
    }
}
