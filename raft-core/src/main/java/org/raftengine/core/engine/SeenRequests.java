package org.raftengine.core.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import org.raftengine.core.spi.LogEntry;

/**
 * Request ids of forwarded commands this node has seen: in an entry it appended or received, or in a
 * forward it refused. Transports duplicate, and a duplicate comes to the same node, so a request id seen
 * once is never appended again (even if its entry was since truncated here: it may still commit from
 * another log) and never answered again. Bounded: the oldest ids are forgotten first.
 */
final class SeenRequests {
    private static final int MAX_REMEMBERED = 100_000;

    /** Insertion order, so the eldest is the one forgotten. */
    private final LinkedHashMap<Long, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    boolean contains(long requestId) {
        return seen.containsKey(requestId);
    }

    /** An entry appended to this node's log: remembered if it carries a forwarded request's id. */
    void recordEntry(LogEntry e) {
        if (e.requestId() != 0) {
            seen.put(e.requestId(), Boolean.TRUE);
        }
    }

    /** A forward this node refused: a later duplicate must not be appended. */
    void recordRefused(long requestId) {
        seen.put(requestId, Boolean.TRUE);
    }
}
