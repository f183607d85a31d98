package org.raftengine.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.raftengine.core.CommandResult;
import org.raftengine.core.wire.SessionCommand;

/**
 * A session command this node forwarded to the leader, awaiting a {@code ForwardResponse}. It may be sent
 * more than once, each time under a new request id (a duplicate is harmless: the session table applies a
 * sequence once), so one lost message costs a re-send period, not the command time-out. Each request id
 * keeps the promise of its own answer: a Retry or Redirect for one means that copy is in no log, so the
 * client is told Retry only once every copy sent was answered so.
 */
final class PendingForward {
    final CompletableFuture<CommandResult> future;
    /** The session command, as first forwarded; copies sent again never open a session. */
    final SessionCommand command;
    /** The request id of the first copy: the one that may open the session. */
    long firstRequestId;
    /** When it is answered Indeterminate if nothing else answered it; brought forward when this node takes office. */
    long deadlineNanos;
    /** The sequence of this node's own session for plain submits, or 0 for a client session's command. */
    final long implicitSequence;
    /** Request ids sent and not answered yet. */
    final List<Long> unanswered = new ArrayList<>(2);
    /** Some copy may be in a log: a Retry for another copy no longer makes the whole certain. */
    boolean maybeInLog;
    /** The last Retry or Redirect received, the answer if every copy gets one. */
    CommandResult refusal;
    long resendAtNanos;
    long resendPeriodNanos;
    boolean done;

    PendingForward(CompletableFuture<CommandResult> future, SessionCommand command, long deadlineNanos,
                   long implicitSequence) {
        this.future = future;
        this.command = command;
        this.deadlineNanos = deadlineNanos;
        this.implicitSequence = implicitSequence;
    }
}
