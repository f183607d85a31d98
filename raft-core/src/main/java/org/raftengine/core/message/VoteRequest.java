package org.raftengine.core.message;

/**
 * A request for a vote (or, with {@code preVote}, for a non-binding pre-vote that changes no term).
 *
 * @param lastLogIndex index of the candidate's last entry
 * @param lastLogTerm  term of the candidate's last entry
 * @param preVote      true for a PreVote round: the receiver changes neither its term nor its vote
 * @param transfer     true when a leader asked the candidate to campaign (leadership transfer), which
 *                     overrides leader stickiness
 * @param incarnation  the incarnation of the candidate's cluster: a voter of another incarnation refuses it
 *                     (0: not known, never refused for it)
 */
public record VoteRequest(String from, String to, long fromStorageId, long term,
                          long lastLogIndex, long lastLogTerm, boolean preVote, boolean transfer,
                          long incarnation)
        implements RaftMessage {

    /** A vote request of no known incarnation. */
    public VoteRequest(String from, String to, long fromStorageId, long term, long lastLogIndex, long lastLogTerm,
                       boolean preVote, boolean transfer) {
        this(from, to, fromStorageId, term, lastLogIndex, lastLogTerm, preVote, transfer, 0);
    }
}
