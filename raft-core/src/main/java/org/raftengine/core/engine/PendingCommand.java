package org.raftengine.core.engine;

import java.util.concurrent.CompletableFuture;
import org.raftengine.core.CommandResult;

/**
 * A command this node appended as leader and whose outcome someone awaits: a local client
 * ({@code future}) or a follower that forwarded it ({@code forwardedBy}, {@code requestId}).
 * It is resolved when the entry at its index is applied: by the outcome if that entry is still of
 * {@code term}, otherwise as overwritten. A session command carries its {@code sessionKey} (client id and
 * sequence), so that a re-sent forward of it finds it pending instead of being appended again.
 */
record PendingCommand(long term, CompletableFuture<CommandResult> future, String forwardedBy, long requestId,
                      long deadlineNanos, String sessionKey) {

    /** A command of no session. */
    PendingCommand(long term, CompletableFuture<CommandResult> future, String forwardedBy, long requestId,
                   long deadlineNanos) {
        this(term, future, forwardedBy, requestId, deadlineNanos, null);
    }
}
