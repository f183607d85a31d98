package org.raftengine.examples.ledger;

import org.raftengine.cdi.RaftCommand;

/** A command: move {@code amount} between two accounts; refused when the source lacks it. */
@RaftCommand
public record Transfer(String id, String from, String to, long amount) {
}
