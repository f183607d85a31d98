package org.raftengine.testkit.scenarios;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.testkit.sim.EntryCommands;
import org.raftengine.testkit.sim.SimCluster;

/** Small helpers shared by the scripted scenarios. */
final class Scenarios {
    private Scenarios() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static ClusterSettings settings(boolean preVote, boolean checkQuorum) {
        return SimCluster.DEFAULT_SETTINGS.withPreVote(preVote).withCheckQuorum(checkQuorum);
    }

    static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    /** The running nodes other than {@code leader}, in id order. */
    static List<String> others(SimCluster c, String leader) {
        List<String> out = new ArrayList<>();
        for (String id : c.nodeIds()) {
            if (!id.equals(leader)) {
                out.add(id);
            }
        }
        return out;
    }

    /** How many times {@code command} appears in a command entry (plain or of a session) in {@code id}'s durable log. */
    static int occurrences(SimCluster c, String id, byte[] command) {
        int n = 0;
        for (LogEntry e : c.logEntries(id)) {
            if (Arrays.equals(EntryCommands.commandOf(e), command)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Waits for a leader whose term-start entry every running member (voter or learner of the leader's
     * configuration; spares and removed nodes left out) has applied, so every member knows the configuration
     * (a node that never learned it never campaigns).
     */
    static String awaitSettledLeader(SimCluster c, Duration max) {
        String leader = c.awaitLeader(max);
        if (leader == null) {
            return null;
        }
        // A few heartbeats: the leader also records the members' storage ids in a configuration entry.
        c.runFor(Duration.ofMillis(4 * c.settings().heartbeatMillis()));
        boolean settled = c.runUntil(() -> {
            String now = c.leader();
            if (now == null) {
                return false;
            }
            var leaderStatus = c.status(now);
            long last = leaderStatus.lastIndex();
            for (String id : c.nodeIds()) {
                boolean member = leaderStatus.voters().contains(id) || leaderStatus.learners().contains(id);
                if (member && c.isUp(id) && c.status(id).appliedIndex() < last) {
                    return false;
                }
            }
            return true;
        }, max);
        return settled ? c.leader() : null;
    }

    static long lastIndex(SimCluster c, String id) {
        return c.status(id).lastIndex();
    }
}
