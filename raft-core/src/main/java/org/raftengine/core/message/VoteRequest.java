package org.raftengine.core.message;

/**
 * A request for a vote (or, with {@code preVote}, for a non-binding pre-vote that changes no term).
 *
 * @param lastLogIndex index of the candidate's last entry
 * @param lastLogTerm  term of the candidate's last entry
 * @param preVote      true for a PreVote round: the receiver changes neither its term nor its vote
 * @param transfer     true when a leader asked the candidate to campaign (leadership transfer), which
 *                     overrides leader stickiness
 */
public record VoteRequest(String from, String to, long fromStorageId, long term,
                          long lastLogIndex, long lastLogTerm, boolean preVote, boolean transfer)
        implements RaftMessage {
}
