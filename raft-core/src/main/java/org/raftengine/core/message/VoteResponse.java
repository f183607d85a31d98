package org.raftengine.core.message;

/**
 * The answer to a {@link VoteRequest}.
 *
 * @param term    the term of the request when a pre-vote is granted, otherwise the voter's term
 * @param preVote true if it answers a pre-vote request
 * @param granted whether the vote is granted
 */
public record VoteResponse(String from, String to, long fromStorageId, long term, boolean preVote, boolean granted)
        implements RaftMessage {
}
