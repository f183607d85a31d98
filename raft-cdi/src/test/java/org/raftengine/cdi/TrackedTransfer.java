package org.raftengine.cdi;

/**
 * A typed command of the test application: a {@link Transfer} with an id of its own, so the ledger can count how
 * many times each one was applied (see {@link AppliedTransfer}).
 */
@RaftCommand
public record TrackedTransfer(String id, String from, String to, long amount) {
}
