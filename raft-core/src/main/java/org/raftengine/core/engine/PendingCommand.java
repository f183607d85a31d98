package org.raftengine.core.engine;

import java.util.concurrent.CompletableFuture;
import org.raftengine.core.CommandResult;

/**
 * A command this node appended as leader and whose outcome someone awaits: a local client
 * ({@code future}) or a follower that forwarded it ({@code forwardedBy}, {@code requestId}).
 * It is resolved when the entry at its index is applied: by the outcome if that entry is still of
 * {@code term}, otherwise as overwritten.
 */
record PendingCommand(long term, CompletableFuture<CommandResult> future, String forwardedBy, long requestId,
                      long deadlineNanos) {
}
