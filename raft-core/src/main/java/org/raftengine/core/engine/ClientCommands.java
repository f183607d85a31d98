package org.raftengine.core.engine;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.Role;
import org.raftengine.core.message.ForwardCommand;
import org.raftengine.core.message.ForwardResponse;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.wire.MalformedFrameException;
import org.raftengine.core.wire.SessionCommand;
import org.raftengine.core.wire.SessionCommandCodec;

/**
 * Client commands from submission to outcome. The leader appends them (refusing, rather than growing
 * memory without bound, past the configured limits) and settles each when its index is applied; a
 * follower forwards them to the leader, one hop, and relays the answer. Commands with no outcome in time
 * complete as indeterminate. Handles {@link ForwardCommand} and {@link ForwardResponse}.
 *
 * <p><b>Sessions and forwards.</b> Every forward is a session command ({@link SessionCommand}): a client
 * session's, or, for a plain {@code submit} on a follower, one of this node's own session (a random id per
 * node run, renewed when idle for half the session time-out). So a forward not answered within the re-send
 * period (two heartbeats, doubling up to the minimum election timeout) is sent again, to the leader known
 * then, under a new request id, until the command time-out: a duplicate is harmless, the session table on
 * the apply side applies a sequence once and answers a duplicate with the original outcome. The leader
 * answers a re-sent forward at once from its recent outcomes when it knows the outcome, and ignores it while
 * the same sequence is pending in its log (the first copy's answer will come). Plain submits on the leader
 * itself stay plain {@code COMMAND} entries: they are never forwarded, so never re-sent.
 */
final class ClientCommands {
    private static final byte[] EMPTY = new byte[0];

    private final NodeState state;
    private final RaftNodeConfig nodeConfig;
    private final NodeRuntime runtime;
    private final EventLoop events;
    private final LogView logView;
    private final LeaderReplication leader;
    private final Outbox outbox;
    private final Completions completions;
    private final SeenRequests seenRequests;
    private final LeadershipTransfer transfer;

    /** Submitted from any thread; taken in one protocol event, which batches them naturally. */
    private final Submissions<ClientCommand> submitted;
    /** Answers a command submitted as the node stopped (one object, not one per submit). */
    private final Consumer<ClientCommand> refuseStopped = c -> c.complete(notRunning());
    /** Leader: commands appended by this node, by index, awaiting their entries' outcome. */
    private final PendingCommands pending = new PendingCommands();
    /** The newest term of an applied entry for which older-term commands above it were settled. */
    private long overwriteCheckedTerm;
    /** Follower: commands forwarded to the leader, by each request id they were sent under. */
    private final HashMap<Long, PendingForward> forwarded = new HashMap<>();
    /** Follower: the same commands in submission order, which is deadline order; finished ones linger. */
    private final ArrayDeque<PendingForward> forwardOrder = new ArrayDeque<>();
    /** Leader: index of each pending session command, by {@link #sessionKey}. */
    private final HashMap<String, Long> pendingSessions = new HashMap<>();
    /** Leader: outcomes of session commands it applied lately, by {@link #sessionKey}, to answer re-sends. */
    private final LinkedHashMap<String, CommandResult> recentOutcomes = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CommandResult> eldest) {
            return size() > MAX_RECENT_OUTCOMES;
        }
    };
    private static final int MAX_RECENT_OUTCOMES = 10_000;
    /** This node's own session, for plain commands it forwards; renewed when idle (see the class comment). */
    private String implicitSessionId;
    private long implicitSequence;
    /** Its sequences still awaited; the lowest is the mark forwarded. */
    private final TreeSet<Long> implicitAwaiting = new TreeSet<>();
    private long implicitLastUseNanos;
    /** Leader: the time stamped into the last session entry; never decreases. */
    private long lastStampMillis;
    private final Consumer<PendingCommand> settleStraggler = this::settleStraggler;

    ClientCommands(NodeState state, RaftNodeConfig nodeConfig, NodeRuntime runtime, EventLoop events, LogView logView,
                   LeaderReplication leader, Outbox outbox, Completions completions, SeenRequests seenRequests,
                   LeadershipTransfer transfer) {
        this.state = state;
        this.nodeConfig = nodeConfig;
        this.runtime = runtime;
        this.events = events;
        this.logView = logView;
        this.leader = leader;
        this.outbox = outbox;
        this.completions = completions;
        this.seenRequests = seenRequests;
        this.transfer = transfer;
        this.submitted = new Submissions<>(events, this::drainSubmitted);
    }

    /**
     * A submitted command and the future its client holds, in one object: one allocation fewer per
     * command. Stages that clients chain on it are plain futures.
     */
    private static final class ClientCommand extends CompletableFuture<CommandResult> {
        final byte[] command;
        /** The session command, or null for a plain one. */
        final SessionCommand session;

        ClientCommand(byte[] command, SessionCommand session) {
            this.command = command;
            this.session = session;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }

    // ---- submit

    /** Thread-safe. A command is answered even when the node halts while it is being submitted ({@link Submissions}). */
    CompletionStage<CommandResult> submit(byte[] command) {
        Objects.requireNonNull(command, "command");
        return submit(new ClientCommand(command, null));
    }

    /** Thread-safe, as {@link #submit(byte[])}: a client session's command (leader time not stamped yet). */
    CompletionStage<CommandResult> submitSession(SessionCommand command) {
        Objects.requireNonNull(command, "command");
        return submit(new ClientCommand(command.command(), command));
    }

    private CompletionStage<CommandResult> submit(ClientCommand f) {
        if (!events.isRunning()) {
            f.complete(notRunning());
            return f;
        }
        submitted.add(f, refuseStopped);
        return f;
    }

    private CommandResult notRunning() {
        return new CommandResult.Retry("node " + state.id + " is not running");
    }

    private void drainSubmitted() {
        submitted.beginDrain();
        boolean appended = false;
        // One clock read per drain: the commands of one drain arrived together.
        long deadline = runtime.nanoTime() + nodeConfig.commandTimeout().toNanos();
        ClientCommand c;
        while ((c = submitted.poll()) != null) {
            appended |= handleSubmit(c, deadline);
        }
        if (appended) {
            leader.replicateToAll();
            leader.advanceCommit();
        }
    }

    /** True if the command was appended. */
    private boolean handleSubmit(ClientCommand c, long deadline) {
        if (state.role() == Role.LEADER) {
            if (c.session == null) {
                CommandResult refusal = backPressure(c.command.length);
                if (refusal != null) {
                    completions.complete(c, refusal);
                    return false;
                }
                LogEntry e = leader.appendAsLeader(EntryType.COMMAND, 0, c.command);
                trackPending(e, new PendingCommand(state.term(), c, null, 0, deadline));
                return true;
            }
            CommandResult known = recentOutcomes.get(sessionKey(c.session));
            if (known != null && !refusalOfAnotherCopy(known, c.session)) {
                completions.complete(c, known); // a re-submit of a command this leader applied lately
                return false;
            }
            byte[] data = SessionCommandCodec.encode(c.session.stamped(stampTime()));
            CommandResult refusal = backPressure(data.length);
            if (refusal != null) {
                completions.complete(c, refusal);
                return false;
            }
            appendSession(c.session, data, c, null, 0, deadline);
            return true;
        }
        if (state.role() == Role.FOLLOWER && state.leaderId() != null) {
            if (!nodeConfig.forwardToLeader()) {
                completions.complete(c, new CommandResult.Redirect(state.leaderId()));
                return false;
            }
            SessionCommand session = c.session != null ? c.session : nextImplicit(c.command);
            PendingForward p = new PendingForward(c, session, deadline, c.session != null ? 0 : session.sequence());
            p.resendPeriodNanos = firstResendPeriodNanos();
            forwardOrder.add(p);
            send(p);
            return false;
        }
        completions.complete(c, new CommandResult.Retry("no leader known to node " + state.id));
        return false;
    }

    /** Appends a session command (its data stamped already) and tracks who awaits it. */
    private void appendSession(SessionCommand session, byte[] data, CompletableFuture<CommandResult> future,
                               String forwardedBy, long requestId, long deadline) {
        String key = sessionKey(session);
        LogEntry e = leader.appendAsLeader(EntryType.SESSION_COMMAND, requestId, data);
        trackPending(e, new PendingCommand(state.term(), future, forwardedBy, requestId, deadline, key));
        pendingSessions.put(key, e.index());
    }

    /**
     * A refusal cached from a copy that could not open the session (a re-send) says nothing of the copy that
     * opens it, which may still be appended and applied: it must not be told a final refusal.
     */
    private static boolean refusalOfAnotherCopy(CommandResult known, SessionCommand copy) {
        return known instanceof CommandResult.Refused && copy.opens();
    }

    private static String sessionKey(SessionCommand c) {
        return c.sequence() + "#" + c.clientId();
    }

    /** The leader's time for a new session entry: its clock, but never below the time it stamped last. */
    private long stampTime() {
        lastStampMillis = Math.max(lastStampMillis, runtime.currentTimeMillis());
        return lastStampMillis;
    }

    // ---- this node's own session, for plain commands it forwards

    private SessionCommand nextImplicit(byte[] command) {
        long now = runtime.nanoTime();
        long idleLimit = logView.settings().sessionTimeoutMillis() * 1_000_000L / 2;
        if (implicitSessionId == null || (implicitAwaiting.isEmpty() && now - implicitLastUseNanos > idleLimit)) {
            renewImplicitSession();
        }
        implicitLastUseNanos = now;
        long sequence = ++implicitSequence;
        implicitAwaiting.add(sequence);
        return new SessionCommand(implicitSessionId, sequence, implicitAwaiting.first(), 0, true, command);
    }

    private void renewImplicitSession() {
        // The node's id, its clock and wall clock: unique across its runs, and no draw from runtime.random(),
        // which would shift the engine's election timeouts in the simulator.
        implicitSessionId = "node:" + state.id + ":" + Long.toHexString(runtime.currentTimeMillis()) + ":"
                + Long.toHexString(runtime.nanoTime());
        implicitSequence = 0;
        implicitAwaiting.clear();
    }

    /** A forward finished: its answer goes to the client; this node's session no longer awaits it. */
    private void finish(PendingForward p, CommandResult result) {
        if (p.done) {
            return;
        }
        p.done = true;
        for (Long r : p.unanswered) {
            forwarded.remove(r);
        }
        p.unanswered.clear();
        if (p.implicitSequence != 0) {
            implicitAwaiting.remove(p.implicitSequence);
            if (result instanceof CommandResult.Refused) {
                // The session is gone from the table (expired) or its answers were dropped: start afresh.
                implicitSessionId = null;
            }
        }
        completions.complete(p.future, result);
    }

    /** Sends (or re-sends) a forward to the leader this node knows, under a new request id. */
    private void send(PendingForward p) {
        long requestId = newRequestId();
        boolean first = p.firstRequestId == 0;
        if (first) {
            p.firstRequestId = requestId;
        }
        forwarded.put(requestId, p);
        p.unanswered.add(requestId);
        p.resendAtNanos = runtime.nanoTime() + p.resendPeriodNanos;
        // Only the first copy may open the session: a later one could meet a session expired since the first
        // was applied, and open it afresh, applying the command twice.
        byte[] payload = SessionCommandCodec.encode(first ? p.command : p.command.notOpening());
        outbox.send(new ForwardCommand(state.id, state.leaderId(), state.storageId(), state.term(), requestId,
                payload));
    }

    /** Two heartbeats: a forward answered in a round trip and a commit rarely waits longer. */
    private long firstResendPeriodNanos() {
        return 2 * logView.settings().heartbeatMillis() * 1_000_000L;
    }

    private long newRequestId() {
        long r;
        do {
            r = runtime.random().nextLong();
        } while (r == 0 || forwarded.containsKey(r));
        return r;
    }

    /**
     * Refuses new commands, rather than grow memory without bound, past the configured limits: for now
     * ({@link CommandResult.Retry}), or for good if the command alone exceeds the limit of uncommitted bytes
     * ({@link CommandResult.Refused}: retrying it could never succeed). While a leadership transfer runs, every
     * new command is refused for now: the log must stop growing so the target can catch up.
     */
    private CommandResult backPressure(int commandBytes) {
        ClusterSettings s = logView.settings();
        if ((long) commandBytes + LogEntry.OVERHEAD_BYTES > s.maxUncommittedBytes()) {
            return new CommandResult.Refused("the command has " + commandBytes + " bytes; the cluster takes commands of"
                    + " at most " + (s.maxUncommittedBytes() - LogEntry.OVERHEAD_BYTES) + " bytes (ClusterSettings"
                    + ".maxUncommittedBytes " + s.maxUncommittedBytes() + " less " + LogEntry.OVERHEAD_BYTES
                    + " bytes of entry overhead)");
        }
        if (transfer.refusesCommands()) {
            return new CommandResult.Retry("leadership is being handed to " + transfer.target());
        }
        if (leader.leaving()) {
            return new CommandResult.Retry("node " + state.id + " is leaving the cluster: its removal is being"
                    + " committed, then it hands over");
        }
        long uncommittedBytes = leader.uncommittedBytes();
        if (uncommittedBytes + commandBytes + LogEntry.OVERHEAD_BYTES > s.maxUncommittedBytes()) {
            return new CommandResult.Retry("too many uncommitted bytes (" + uncommittedBytes + ")");
        }
        long backlog = logView.commitIndex() - logView.appliedIndex();
        if (backlog >= s.maxApplyBacklog()) {
            return new CommandResult.Retry("apply backlog full (" + backlog + " entries)");
        }
        return null;
    }

    // ---- forwarding

    /**
     * One hop only: a node that is not the leader answers, it never forwards again.
     *
     * <p>Transports duplicate, and a duplicate comes to the same node. So a request id this node has
     * seen (appended, received in an entry, or refused) is never appended again, even if its entry was
     * since truncated here (it may still commit from another log), and never answered again: the
     * first answer stands, so a Retry is never followed by an append of the same copy. A re-sent forward
     * comes under a new request id: the leader answers it with the outcome if it knows it, ignores it while
     * the same session sequence is pending in its log, and otherwise appends it again (the session table
     * applies a sequence once).
     */
    void onForwardCommand(ForwardCommand fc) {
        if (seenRequests.contains(fc.requestId())) {
            return;
        }
        if (state.role() != Role.LEADER || fc.term() != state.term()) {
            // Only the leader of the term the forwarder saw may append it, so every copy meets the same
            // memory of request ids. Having possibly led that term before a restart, this node may hold
            // a copy it no longer knows of: then the outcome is not certain.
            String leaderId = state.leaderId();
            CommandResult answer;
            if (fc.term() <= state.startTerm()) {
                answer = new CommandResult.Indeterminate("node " + state.id + " may have taken a copy of it before"
                        + " a restart");
            } else if (leaderId != null && !leaderId.equals(fc.from()) && !leaderId.equals(state.id)) {
                answer = new CommandResult.Redirect(leaderId);
            } else {
                answer = new CommandResult.Retry("node " + state.id + " is not the leader of term " + fc.term());
            }
            refuseForward(fc, answer);
            return;
        }
        SessionCommand session;
        try {
            session = SessionCommandCodec.decode(fc.command());
        } catch (MalformedFrameException e) {
            refuseForward(fc, new CommandResult.Refused("not a valid session command: " + e.getMessage()));
            return;
        }
        String key = sessionKey(session);
        CommandResult known = recentOutcomes.get(key);
        if (known != null && !refusalOfAnotherCopy(known, session)) {
            refuseForward(fc, known); // not appended: a later duplicate of this request id is ignored
            return;
        }
        Long pendingAt = pendingSessions.get(key);
        if (pendingAt != null) {
            return; // pending in this leader's log: the answer to the copy that put it there will come
        }
        byte[] data = SessionCommandCodec.encode(session.stamped(stampTime()));
        CommandResult refusal = backPressure(data.length);
        if (refusal != null) {
            refuseForward(fc, refusal);
            return;
        }
        long deadline = runtime.nanoTime() + nodeConfig.commandTimeout().toNanos();
        appendSession(session, data, null, fc.from(), fc.requestId(), deadline);
        leader.replicateToAll();
        leader.advanceCommit();
    }

    private void refuseForward(ForwardCommand fc, CommandResult answer) {
        seenRequests.recordRefused(fc.requestId());
        outbox.send(new ForwardResponse(state.id, fc.from(), state.storageId(), state.term(), fc.requestId(), answer));
    }

    /**
     * An answer to one copy of a forward. The real outcome (Ok, ApplicationError, Refused) finishes it. A
     * Retry or Redirect means that copy is in no log: the client is told so once every copy sent was, and
     * none may be in a log. Indeterminate (the leader lost office, or restarted): the command is sent again
     * at once, to the leader known now, to learn its real outcome.
     */
    void onForwardResponse(ForwardResponse fr) {
        PendingForward p = forwarded.remove(fr.requestId());
        if (p == null || p.done) {
            return;
        }
        p.unanswered.remove(Long.valueOf(fr.requestId()));
        CommandResult r = fr.result();
        if (r instanceof CommandResult.Refused refused && p.command.opens() && fr.requestId() != p.firstRequestId
                && refused.reason() != null && refused.reason().startsWith(ClientSessions.UNKNOWN_SESSION)) {
            // A re-sent copy met no session: the first copy, which may open it, may still be applied.
            finish(p, new CommandResult.Indeterminate("a re-sent copy was refused (" + refused.reason()
                    + "); the first may still be applied"));
        } else if (r instanceof CommandResult.Ok || r instanceof CommandResult.ApplicationError
                || r instanceof CommandResult.Refused) {
            finish(p, r);
        } else if (r instanceof CommandResult.Indeterminate) {
            p.maybeInLog = true;
            p.resendAtNanos = runtime.nanoTime(); // at the next tick
        } else {
            p.refusal = r;
            if (p.unanswered.isEmpty() && !p.maybeInLog) {
                finish(p, r);
            }
        }
    }

    // ---- pending commands: track, resolve on apply, expire

    /**
     * Remembers who awaits {@code e}. A command of an earlier leadership of this node may still wait on
     * the same index (its entry was truncated here, yet may commit from another log): it is settled as
     * indeterminate rather than forgotten.
     */
    private void trackPending(LogEntry e, PendingCommand p) {
        PendingCommand earlier = pending.put(e.index(), p, settleStraggler);
        if (earlier != null) {
            settle(earlier, new CommandResult.Indeterminate("its entry was replaced on this node; it may "
                    + "still commit from another log"));
        }
    }

    /** See {@link PendingCommands}: a straggler too old to keep tracking. */
    private void settleStraggler(PendingCommand p) {
        settle(p, new CommandResult.Indeterminate("too many newer commands pending to keep tracking it;"
                + " it may still commit"));
    }

    /**
     * The entry at {@code applied.index()} was applied: a command with the state machine's {@code output},
     * or refused with {@code rejection}; both null if it is not a command. A session command may instead
     * have been {@code answer}ed by the session table (a duplicate's original outcome, or a refusal).
     */
    void resolvePending(LogEntry applied, byte[] output, String rejection, CommandResult answer) {
        if (pending.isEmpty()) {
            return;
        }
        PendingCommand p = pending.remove(applied.index());
        if (p != null) {
            CommandResult outcome = answer != null ? answer
                    : rejection != null ? new CommandResult.ApplicationError(applied.index(), rejection)
                    : output != null ? new CommandResult.Ok(applied.index(), output) : null;
            if (p.sessionKey() != null && p.term() == applied.term() && outcome != null) {
                recentOutcomes.put(p.sessionKey(), outcome);
            }
            resolve(p, applied, outcome);
        }
        if (applied.term() > overwriteCheckedTerm) {
            // A committed entry of term T at index i: no entry of an older term at an index beyond i can
            // ever commit (terms never decrease along a log), so those commands are settled now.
            overwriteCheckedTerm = applied.term();
            pending.removeOlderTermsAbove(applied.index(), applied.term(), older -> resolve(older, applied, null));
        }
    }

    private void resolve(PendingCommand p, LogEntry applied, CommandResult outcome) {
        CommandResult result;
        if (p.term() == applied.term()) {
            result = outcome != null ? outcome : new CommandResult.Ok(applied.index(), EMPTY);
        } else if (p.forwardedBy() == null) {
            // Another leader's entry is committed at this index: ours can never be (Log Matching).
            result = new CommandResult.Retry("overwritten by a newer leader's entry; it was not committed");
        } else {
            // A transport duplicate of the forward may have been appended elsewhere: not certain.
            result = new CommandResult.Indeterminate("the leader that took it lost its leadership");
        }
        settle(p, result);
    }

    /** Completes the local client's future, or answers the follower that forwarded the command. */
    private void settle(PendingCommand p, CommandResult result) {
        if (p.sessionKey() != null) {
            pendingSessions.remove(p.sessionKey());
        }
        if (p.future() != null) {
            completions.complete(p.future(), result);
        } else {
            outbox.send(new ForwardResponse(state.id, p.forwardedBy(), state.storageId(), state.term(), p.requestId(),
                    result));
        }
    }

    /**
     * A snapshot from the leader replaced this node's entries up to {@code index}: commands this node
     * appended there as an earlier leader will never be applied here one by one. Their entries may be in
     * the snapshot, or may have been overwritten: not certain.
     */
    void coveredBySnapshot(long index) {
        pending.removeUpTo(index, p -> settle(p, new CommandResult.Indeterminate("its entry is covered by a snapshot"
                + " from the leader; it may have committed")));
    }

    /**
     * On every tick. A forwarding follower learns of a time-out from its own clock, so it is not told; it
     * re-sends what is due to the leader it knows (see the class comment).
     */
    void expireCommands(long now) {
        pending.removeExpired(now, p -> {
            if (p.sessionKey() != null) {
                pendingSessions.remove(p.sessionKey());
            }
            if (p.future() != null) {
                completions.complete(p.future(), new CommandResult.Indeterminate("timed out; it may still commit"));
            }
        });
        for (Iterator<PendingForward> it = forwardOrder.iterator(); it.hasNext(); ) {
            PendingForward p = it.next();
            if (p.done) {
                it.remove();
            } else if (p.deadlineNanos - now <= 0) {
                it.remove();
                finish(p, p.unanswered.isEmpty() && !p.maybeInLog && p.refusal != null ? p.refusal
                        : new CommandResult.Indeterminate("forwarded to the leader, no answer in time"));
            } else if (p.resendAtNanos <= now && state.role() == Role.FOLLOWER && state.leaderId() != null) {
                p.resendPeriodNanos = Math.min(2 * p.resendPeriodNanos,
                        logView.settings().electionTimeoutMinMillis() * 1_000_000L);
                send(p);
            }
        }
    }

    /**
     * This node took office. Its forwards still unanswered went to an earlier leader, which may have crashed, and
     * nothing re-sends them now (this node would send them to itself): each waits an election timeout more for a
     * late answer of that leader, then is answered Indeterminate (a copy may be in the log), rather than waiting
     * out the whole command time-out.
     */
    void tookOffice() {
        long grace = runtime.nanoTime() + logView.settings().electionTimeoutMaxMillis() * 1_000_000L;
        for (PendingForward p : forwardOrder) {
            if (!p.done && p.deadlineNanos - grace > 0) {
                p.deadlineNanos = grace;
            }
        }
    }

    /** The node halts: whatever is pending or queued gets its last answer. */
    void stop(String reason) {
        pending.removeAll(p -> {
            if (p.future() != null) {
                completions.complete(p.future(), new CommandResult.Indeterminate(reason));
            }
        });
        for (PendingForward p : forwardOrder) {
            finish(p, new CommandResult.Indeterminate(reason));
        }
        forwardOrder.clear();
        forwarded.clear();
        submitted.drainTo(c -> completions.complete(c, new CommandResult.Retry(reason)));
    }
}
