package org.raftengine.core;

/**
 * Settings every server of a cluster must share. They live in configuration entries of the log, so
 * there is no per-server switch: initial values come from the bootstrap configuration, and a node's
 * own properties are bootstrap values only.
 *
 * @param heartbeatMillis          period of the leader's heartbeats
 * @param electionTimeoutMinMillis lower bound of the randomized election timeout; also the CheckQuorum
 *                                 window and the leader-stickiness window
 * @param electionTimeoutMaxMillis upper bound (exclusive) of the randomized election timeout
 * @param maxEntriesPerAppend      most entries in one AppendEntries
 * @param maxBytesPerAppend        most entry bytes in one AppendEntries (one entry is always allowed)
 * @param maxInflightAppends       most AppendEntries with entries in flight per follower (pipelining)
 * @param maxUncommittedBytes      past this many bytes of uncommitted entries the leader answers new
 *                                 commands with {@link CommandResult.Retry}
 * @param maxApplyBacklog          past this many committed but unapplied entries the leader answers new
 *                                 commands with {@link CommandResult.Retry}
 * @param preVote                  run a PreVote round before raising the term
 * @param checkQuorum              a leader steps down when it has not heard from a majority within the
 *                                 minimum election timeout; followers that heard from a live leader within
 *                                 it ignore vote requests (leader stickiness)
 * @param sessionTimeoutMillis     a {@link ClientSession} with no command in the log for this long is
 *                                 forgotten by the cluster (its later commands are
 *                                 {@link CommandResult.Refused}); measured in the leaders' time carried in
 *                                 the log entries, never by a replica's own clock. At least the maximum
 *                                 election timeout, so a session outlives a failover
 * @param leaseReads               leaders serve reads on a lease when they may (only with CheckQuorum; see
 *                                 {@link #withLeaseReads})
 */
public record ClusterSettings(long heartbeatMillis, long electionTimeoutMinMillis, long electionTimeoutMaxMillis,
                              int maxEntriesPerAppend, long maxBytesPerAppend, int maxInflightAppends,
                              long maxUncommittedBytes, long maxApplyBacklog,
                              boolean preVote, boolean checkQuorum, long sessionTimeoutMillis, boolean leaseReads) {

    /** The session time-out of {@link #DEFAULTS}, and of configurations stored before it was a setting: one hour. */
    public static final long DEFAULT_SESSION_TIMEOUT_MILLIS = 3_600_000L;

    /** Defaults: 100 ms heartbeats, 1–2 s elections, PreVote and CheckQuorum on, sessions kept for an hour. */
    public static final ClusterSettings DEFAULTS = new ClusterSettings(100, 1000, 2000, 512, 1 << 20, 16,
            64L << 20, 100_000, true, true, DEFAULT_SESSION_TIMEOUT_MILLIS);

    /** Settings without lease reads. */
    public ClusterSettings(long heartbeatMillis, long electionTimeoutMinMillis, long electionTimeoutMaxMillis,
                           int maxEntriesPerAppend, long maxBytesPerAppend, int maxInflightAppends,
                           long maxUncommittedBytes, long maxApplyBacklog, boolean preVote, boolean checkQuorum,
                           long sessionTimeoutMillis) {
        this(heartbeatMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis, maxEntriesPerAppend,
                maxBytesPerAppend, maxInflightAppends, maxUncommittedBytes, maxApplyBacklog, preVote, checkQuorum,
                sessionTimeoutMillis, false);
    }

    /** Settings without a session time-out of their own: it is {@link #DEFAULT_SESSION_TIMEOUT_MILLIS}. */
    public ClusterSettings(long heartbeatMillis, long electionTimeoutMinMillis, long electionTimeoutMaxMillis,
                           int maxEntriesPerAppend, long maxBytesPerAppend, int maxInflightAppends,
                           long maxUncommittedBytes, long maxApplyBacklog, boolean preVote, boolean checkQuorum) {
        this(heartbeatMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis, maxEntriesPerAppend,
                maxBytesPerAppend, maxInflightAppends, maxUncommittedBytes, maxApplyBacklog, preVote, checkQuorum,
                DEFAULT_SESSION_TIMEOUT_MILLIS);
    }

    /**
     * @throws IllegalArgumentException if the values cannot work together
     */
    public ClusterSettings {
        require(heartbeatMillis > 0, "heartbeatMillis must be positive");
        require(electionTimeoutMinMillis >= 3 * heartbeatMillis,
                "electionTimeoutMinMillis must be at least 3 heartbeats (" + 3 * heartbeatMillis + " ms)");
        require(electionTimeoutMaxMillis > electionTimeoutMinMillis,
                "electionTimeoutMaxMillis must be greater than electionTimeoutMinMillis");
        require(maxEntriesPerAppend > 0, "maxEntriesPerAppend must be positive");
        require(maxBytesPerAppend > 0, "maxBytesPerAppend must be positive");
        require(maxInflightAppends > 0, "maxInflightAppends must be positive");
        require(maxUncommittedBytes > 0, "maxUncommittedBytes must be positive");
        require(maxApplyBacklog > 0, "maxApplyBacklog must be positive");
        require(!leaseReads || checkQuorum, "leaseReads needs checkQuorum: the lease rests on leader stickiness");
        require(sessionTimeoutMillis >= electionTimeoutMaxMillis,
                "sessionTimeoutMillis must be at least electionTimeoutMaxMillis (" + electionTimeoutMaxMillis + " ms)");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public ClusterSettings withTimeouts(long heartbeat, long electionMin, long electionMax) {
        return new ClusterSettings(heartbeat, electionMin, electionMax, maxEntriesPerAppend, maxBytesPerAppend,
                maxInflightAppends, maxUncommittedBytes, maxApplyBacklog, preVote, checkQuorum, sessionTimeoutMillis, leaseReads);
    }

    public ClusterSettings withBatching(int maxEntries, long maxBytes, int maxInflight) {
        return new ClusterSettings(heartbeatMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis, maxEntries,
                maxBytes, maxInflight, maxUncommittedBytes, maxApplyBacklog, preVote, checkQuorum, sessionTimeoutMillis, leaseReads);
    }

    public ClusterSettings withLimits(long uncommittedBytes, long applyBacklog) {
        return new ClusterSettings(heartbeatMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
                maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, uncommittedBytes, applyBacklog,
                preVote, checkQuorum, sessionTimeoutMillis, leaseReads);
    }

    public ClusterSettings withPreVote(boolean on) {
        return new ClusterSettings(heartbeatMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
                maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, maxUncommittedBytes, maxApplyBacklog,
                on, checkQuorum, sessionTimeoutMillis, leaseReads);
    }

    public ClusterSettings withCheckQuorum(boolean on) {
        return new ClusterSettings(heartbeatMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
                maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, maxUncommittedBytes, maxApplyBacklog,
                preVote, on, sessionTimeoutMillis, leaseReads && on);
    }

    public ClusterSettings withSessionTimeout(long millis) {
        return new ClusterSettings(heartbeatMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
                maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, maxUncommittedBytes, maxApplyBacklog,
                preVote, checkQuorum, millis, leaseReads);
    }

    /**
     * These settings with lease reads on or off (off by default; only with CheckQuorum). With them on, a leader
     * gives a {@link RaftNode#read read} the commit index at once, without a heartbeat round, while a majority
     * confirmed a round begun less than half the minimum election timeout ago (on its monotonic clock; the half
     * is the margin for clock drift: the voters' clocks may run up to about twice as fast), and it has sent no
     * TimeoutNow in its term; otherwise it falls back to ReadIndex. The voters' leader stickiness is what makes it
     * safe: none of them votes for another candidate within the minimum election timeout of hearing from the
     * leader, and, with lease reads on, of starting up either (it may have forgotten a leader it heard from).
     * Turning CheckQuorum off ({@link #withCheckQuorum}) turns them off too.
     *
     * @throws IllegalArgumentException if {@code on} and CheckQuorum is off
     */
    public ClusterSettings withLeaseReads(boolean on) {
        return new ClusterSettings(heartbeatMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
                maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, maxUncommittedBytes, maxApplyBacklog,
                preVote, checkQuorum, sessionTimeoutMillis, on);
    }
}
