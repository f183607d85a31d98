package org.raftengine.testkit.sim;

import java.util.Map;

/**
 * Counters of the simulated network.
 *
 * @param sent       messages handed to {@code send}
 * @param delivered  copies handed to a target's sink
 * @param dropped    messages or copies lost, for any reason
 * @param duplicated extra copies made
 * @param held       copies waiting for their target to come back ({@code holdForDownNodes})
 * @param dropReasons how many were dropped per reason: {@code loss}, {@code cut}, {@code down},
 *                   {@code sender-stopped}
 */
public record NetworkStats(long sent, long delivered, long dropped, long duplicated, long held,
                           Map<String, Long> dropReasons) {
    public NetworkStats {
        dropReasons = Map.copyOf(dropReasons);
    }

    /** Dropped for {@code reason}. */
    public long dropped(String reason) {
        return dropReasons.getOrDefault(reason, 0L);
    }
}
