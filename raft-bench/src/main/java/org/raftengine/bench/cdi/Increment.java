package org.raftengine.bench.cdi;

import org.raftengine.cdi.RaftCommand;

/** The CDI run's one command: add 1 to a counter (encoded by raft-cdi's JSON-B codec). */
@RaftCommand
public record Increment(String counter) {
}
