package org.raftengine.core;

/** The role a node plays in its current term. */
public enum Role {
    /** Follows a leader, or waits for one. */
    FOLLOWER,
    /** Asks for pre-votes before campaigning (PreVote on); its term has not changed. */
    PRE_CANDIDATE,
    /** Campaigns for votes in a new term. */
    CANDIDATE,
    /** Leads the cluster in its term. */
    LEADER,
    /** Stopped, or not started. */
    STOPPED
}
