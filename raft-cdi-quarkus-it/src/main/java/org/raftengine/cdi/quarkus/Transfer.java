package org.raftengine.cdi.quarkus;

import org.raftengine.cdi.RaftCommand;

/** A typed command: move money between accounts; refused when the source lacks it. */
@RaftCommand
public record Transfer(String from, String to, long amount) {
}
