package org.raftengine.cdi.quarkus;

import org.raftengine.cdi.RaftCommand;

/** A typed command: credit an account (opened by its first deposit). */
@RaftCommand
public record Deposit(String account, long amount) {
}
