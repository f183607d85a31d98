package org.raftengine.core.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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

/**
 * Client commands from submission to outcome. The leader appends them (refusing, rather than growing
 * memory without bound, past the configured limits) and settles each when its index is applied; a
 * follower forwards them to the leader, one hop, and relays the answer. Commands with no outcome in time
 * complete as indeterminate. Handles {@link ForwardCommand} and {@link ForwardResponse}.
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

    /** Submitted from any thread; taken in one protocol event, which batches them naturally. */
    private final ConcurrentLinkedQueue<ClientCommand> submitted = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Leader: commands appended by this node, by index, awaiting their entries' outcome. */
    private final PendingCommands pending = new PendingCommands();
    /** The newest term of an applied entry for which older-term commands above it were settled. */
    private long overwriteCheckedTerm;
    /** Follower: commands forwarded to the leader, by request id; insertion order is deadline order. */
    private final LinkedHashMap<Long, PendingForward> forwarded = new LinkedHashMap<>();
    private final Consumer<PendingCommand> settleStraggler = this::settleStraggler;

    ClientCommands(NodeState state, RaftNodeConfig nodeConfig, NodeRuntime runtime, EventLoop events, LogView logView,
                   LeaderReplication leader, Outbox outbox, Completions completions, SeenRequests seenRequests) {
        this.state = state;
        this.nodeConfig = nodeConfig;
        this.runtime = runtime;
        this.events = events;
        this.logView = logView;
        this.leader = leader;
        this.outbox = outbox;
        this.completions = completions;
        this.seenRequests = seenRequests;
    }

    /**
     * A submitted command and the future its client holds, in one object: one allocation fewer per
     * command. Stages that clients chain on it are plain futures.
     */
    private static final class ClientCommand extends CompletableFuture<CommandResult> {
        final byte[] command;

        ClientCommand(byte[] command) {
            this.command = command;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }

    // ---- submit

    /**
     * Thread-safe. A command is answered even when the node halts while it is being submitted: the halt
     * clears the running flag, then answers what is queued; the submitter queues, then reads the flag
     * again. The flag and the queue are both volatile, so one of the two sees the other's write, and
     * answers the command (an event queued meanwhile would never run).
     */
    CompletionStage<CommandResult> submit(byte[] command) {
        Objects.requireNonNull(command, "command");
        ClientCommand f = new ClientCommand(command);
        if (!events.isRunning()) {
            f.complete(notRunning());
            return f;
        }
        submitted.add(f);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                events.post(this::drainSubmitted);
            } catch (RejectedExecutionException stopped) {
                drainScheduled.set(false);
            }
        }
        if (!events.isRunning()) {
            ClientCommand c;
            while ((c = submitted.poll()) != null) {
                c.complete(notRunning());
            }
        }
        return f;
    }

    private CommandResult notRunning() {
        return new CommandResult.Retry("node " + state.id + " is not running");
    }

    private void drainSubmitted() {
        drainScheduled.set(false);
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
            CommandResult refusal = backPressure(c.command.length);
            if (refusal != null) {
                completions.complete(c, refusal);
                return false;
            }
            LogEntry e = leader.appendAsLeader(EntryType.COMMAND, 0, c.command);
            trackPending(e, new PendingCommand(state.term(), c, null, 0, deadline));
            return true;
        }
        if (state.role() == Role.FOLLOWER && state.leaderId() != null) {
            if (!nodeConfig.forwardToLeader()) {
                completions.complete(c, new CommandResult.Redirect(state.leaderId()));
                return false;
            }
            long requestId = newRequestId();
            forwarded.put(requestId, new PendingForward(c, deadline));
            outbox.send(new ForwardCommand(state.id, state.leaderId(), state.storageId(), state.term(), requestId,
                    c.command));
            return false;
        }
        completions.complete(c, new CommandResult.Retry("no leader known to node " + state.id));
        return false;
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
     * ({@link CommandResult.Refused}: retrying it could never succeed).
     */
    private CommandResult backPressure(int commandBytes) {
        ClusterSettings s = logView.settings();
        if ((long) commandBytes + LogEntry.OVERHEAD_BYTES > s.maxUncommittedBytes()) {
            return new CommandResult.Refused("the command has " + commandBytes + " bytes; the cluster takes commands of"
                    + " at most " + (s.maxUncommittedBytes() - LogEntry.OVERHEAD_BYTES) + " bytes (ClusterSettings"
                    + ".maxUncommittedBytes " + s.maxUncommittedBytes() + " less " + LogEntry.OVERHEAD_BYTES
                    + " bytes of entry overhead)");
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
     * first answer stands, so a Retry is never followed by an append of the same command.
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
        CommandResult refusal = backPressure(fc.command().length);
        if (refusal != null) {
            refuseForward(fc, refusal);
            return;
        }
        long deadline = runtime.nanoTime() + nodeConfig.commandTimeout().toNanos();
        LogEntry e = leader.appendAsLeader(EntryType.COMMAND, fc.requestId(), fc.command());
        trackPending(e, new PendingCommand(state.term(), null, fc.from(), fc.requestId(), deadline));
        leader.replicateToAll();
        leader.advanceCommit();
    }

    private void refuseForward(ForwardCommand fc, CommandResult answer) {
        seenRequests.recordRefused(fc.requestId());
        outbox.send(new ForwardResponse(state.id, fc.from(), state.storageId(), state.term(), fc.requestId(), answer));
    }

    void onForwardResponse(ForwardResponse fr) {
        PendingForward p = forwarded.remove(fr.requestId());
        if (p != null) {
            completions.complete(p.future(), fr.result());
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
     * or refused with {@code rejection}; both null if it is not a command.
     */
    void resolvePending(LogEntry applied, byte[] output, String rejection) {
        if (pending.isEmpty()) {
            return;
        }
        PendingCommand p = pending.remove(applied.index());
        if (p != null) {
            CommandResult outcome = rejection != null ? new CommandResult.ApplicationError(applied.index(), rejection)
                    : output != null ? new CommandResult.Ok(applied.index(), output) : null;
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

    /** On every tick. A forwarding follower learns of a time-out from its own clock, so it is not told. */
    void expireCommands(long now) {
        pending.removeExpired(now, p -> {
            if (p.future() != null) {
                completions.complete(p.future(), new CommandResult.Indeterminate("timed out; it may still commit"));
            }
        });
        for (Iterator<PendingForward> it = forwarded.values().iterator(); it.hasNext(); ) {
            PendingForward p = it.next();
            if (p.deadlineNanos() > now) {
                break; // insertion order is deadline order
            }
            it.remove();
            completions.complete(p.future(), new CommandResult.Indeterminate("forwarded to the leader, no answer in time"));
        }
    }

    /** The node halts: whatever is pending or queued gets its last answer. */
    void stop(String reason) {
        pending.removeAll(p -> {
            if (p.future() != null) {
                completions.complete(p.future(), new CommandResult.Indeterminate(reason));
            }
        });
        for (PendingForward p : forwarded.values()) {
            completions.complete(p.future(), new CommandResult.Indeterminate(reason));
        }
        forwarded.clear();
        ClientCommand c;
        while ((c = submitted.poll()) != null) {
            completions.complete(c, new CommandResult.Retry(reason));
        }
    }
}
