package org.raftengine.core.engine;

import java.util.concurrent.CompletableFuture;
import org.raftengine.core.CommandResult;

/** A command this node forwarded to the leader, awaiting its {@code ForwardResponse}. */
record PendingForward(CompletableFuture<CommandResult> future, long deadlineNanos) {
}
