package org.raftengine.core.message;

/**
 * A message between two nodes of one cluster. Every message names its sender, its target, the
 * sender's storage id (so a node that returns with wiped storage is recognised) and the sender's
 * current term.
 */
public sealed interface RaftMessage
        permits VoteRequest, VoteResponse, AppendEntries, AppendEntriesResponse, ForwardCommand, ForwardResponse,
                InstallSnapshot, InstallSnapshotResponse, TimeoutNow, ReadIndexRequest, ReadIndexResponse {

    /** The sending node's id. */
    String from();

    /** The target node's id. */
    String to();

    /** The storage id of the sender's log. */
    long fromStorageId();

    /** The sender's current term (for a pre-vote request, the term it would campaign in). */
    long term();
}
