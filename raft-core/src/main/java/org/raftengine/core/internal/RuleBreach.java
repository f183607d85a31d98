package org.raftengine.core.internal;

/**
 * A Raft rule the engine deliberately breaks. <strong>For testing the test suite only</strong>: the
 * simulator's checkers must catch an engine that gets one rule wrong, and these switches are how its
 * tests build such an engine without a second copy of it, through {@link RuleBreakingNodes}. A node
 * with any breach set logs a warning at start and is not safe to run.
 *
 * <p>Each constant names the rule it breaks and, in brackets, the invariant of RELIABILITY.md that should
 * catch it.
 */
public enum RuleBreach {
    /** A candidate takes office on its own vote, without a majority [ONE-LEADER]. */
    LEADER_WITHOUT_MAJORITY,
    /** A node grants its vote to every candidate of a term, not only the first [ONE-VOTE]. */
    VOTE_TWICE_IN_A_TERM,
    /** A node votes for a candidate whose log is behind its own [COMPLETE]. */
    VOTE_FOR_A_STALE_LOG,
    /** A leader commits an entry of an older term by counting replicas (Raft's Figure 8) [COMPLETE]. */
    COMMIT_OLDER_TERM_BY_COUNTING,
    /** A follower appends without checking that its entry before the new ones matches the leader's [LOG-MATCH]. */
    SKIP_PREVIOUS_ENTRY_CHECK,
    /** A node applies entries once durable, before they are committed [SAME-APPLY]. */
    APPLY_BEFORE_COMMIT,
    /** A follower takes the leader's commit index even when it is lower than its own [MONOTONIC]. */
    COMMIT_INDEX_FOLLOWS_ANY_LEADER_COMMIT,
    /** A follower acknowledges entries before they are durable [DURABLE]. */
    ACKNOWLEDGE_BEFORE_DURABLE,
    /**
     * A new leader serves linearizable reads before it has committed an entry of its own term, at a commit
     * index that may lag what an earlier leader committed (RELIABILITY 23) [LINEARIZABLE].
     */
    READ_BEFORE_TERM_COMMIT,
    /**
     * A leader takes any answer of its term for a confirmation of its newest round, so a late or duplicated
     * answer of an older round confirms a read that arrived after it was sent (RELIABILITY 24) [LINEARIZABLE].
     */
    READ_CONFIRMED_BY_ANY_ROUND,
    /**
     * A leader's read lease runs the whole minimum election timeout from when the confirming answer arrived,
     * not half of it from when the confirmed round was sent: no margin for delays or clock drift
     * (RELIABILITY 25) [LINEARIZABLE].
     */
    LEASE_FROM_CONFIRMATION,
    /**
     * A new leader appends a configuration change before it has committed an entry of its own term (the bug
     * of the single-server algorithm that the 2015 errata fixes: a change of an earlier term still uncommitted
     * and this one can have disjoint majorities, RELIABILITY 28) [ONE-LEADER, COMPLETE].
     */
    CONFIGURATION_CHANGE_BEFORE_TERM_COMMIT,
    /**
     * A leader that removes itself goes on as if it were a voter until the removal commits: it counts its own log
     * toward the commit of entries from then on, and takes new commands (RELIABILITY 30) [DURABLE, COMPLETE].
     */
    REMOVED_LEADER_COUNTS_ITSELF
}
