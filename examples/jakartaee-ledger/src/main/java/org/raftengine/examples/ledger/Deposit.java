package org.raftengine.examples.ledger;

import org.raftengine.cdi.RaftCommand;

/** A command: credit {@code account} (opened by its first deposit); {@code id} is the client's, unique. */
@RaftCommand
public record Deposit(String id, String account, long amount) {
}
