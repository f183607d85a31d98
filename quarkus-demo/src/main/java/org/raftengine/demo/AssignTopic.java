package org.raftengine.demo;

import java.util.List;
import org.raftengine.cdi.RaftCommand;

/**
 * The one command of the demo: the servers {@code owners} own the topic {@code topic} from now on. Written to the
 * log as JSON by raft-cdi's codec and applied on every node by {@link Assignments}.
 *
 * @param topic     the topic's name
 * @param owners    the servers that own it, in order (the first is the preferred one)
 * @param requestId the id the client gave the request (or one made up for it): recorded with the assignment, so
 *                  that a command applied twice would show as two events with the same id
 */
@RaftCommand
public record AssignTopic(String topic, List<String> owners, String requestId) {
}
