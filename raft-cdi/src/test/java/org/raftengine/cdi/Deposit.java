package org.raftengine.cdi;

/** A typed command of the test application: credit an account. */
@RaftCommand
public record Deposit(String account, long amount) {
}
