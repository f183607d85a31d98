package org.raftengine.testkit.sim;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.raftengine.core.RejectedCommandException;
import org.raftengine.core.TransientApplyException;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.StateSnapshot;

/**
 * The state machine of a simulated node: it records every index it applies, with its command, so the
 * invariant checks can compare replicas.
 *
 * <p>It survives a simulated crash (the cluster keeps the object, as a database would keep its rows)
 * and is replaced only when a node's storage is wiped: after a restart the node resumes from its
 * {@link #lastApplied()}, and rebuilds its session table (engine memory, lost in the crash) from the log.
 * Its state is the number of commands applied; the result of a command is {@code "<n>:"} followed by the
 * command, where n counts the commands applied so far including this one, so it depends on the history
 * and is the same on every replica.
 *
 * <p>A command whose first byte is {@link #READ_MARKER} is a read through the log: it changes nothing
 * and answers the list of commands applied so far ({@link #readResult}): a linearizable read through the
 * log, beside the engine's own ReadIndex reads, whose queries take {@link #query()}.
 *
 * <p>A command whose first byte is {@link #REJECT_MARKER} is refused with
 * {@link RejectedCommandException}, deterministically; the engine must then call {@link #recordRejected}
 * with the exception's message (a {@code recordApplied} of that index, or another reason, is an engine
 * bug). {@link #failNextApplies} makes the next applies fail (transiently or as a bug) without changing
 * anything.
 *
 * <p>Made {@linkplain #SimStateMachine(String, boolean) to keep outcomes}, it {@linkplain #keepsOutcomes()
 * keeps} the outcome of every command with its apply (the output, or the rejection's reason), as a database
 * would in the transaction of the change, and answers {@link #outcomeAt} after a restart; a restore from a
 * snapshot drops them (the snapshot's session table holds those it covers). Each index the engine asks about
 * is noted ({@link #outcomesAsked()}); asking about an index not applied yet is an engine bug.
 *
 * <p>It takes snapshots (its state: the values, the count of commands, the applied index) and restores
 * them; each restore is recorded ({@link #restores()}) with the values it brought, so the checks can
 * compare them with what the replicas applied up to the snapshot's index.
 *
 * <p>Made {@linkplain #SimStateMachine(String, boolean, boolean) to apply in batches}, it
 * {@linkplain #appliesInBatches() applies each batch as one atomic step}, as a database state machine would in
 * one transaction: between {@link #beginBatch} and {@link #commitBatch} every change (the values, the applied
 * index, the kept outcomes, the record of applied entries the checks read) is buffered in the step and seen
 * only by the step's own calls; {@link #commitBatch} makes it the state at once; {@link #abortBatch}, a commit
 * that fails ({@link #failNextCommits}) and a crash ({@link #crash}) discard it. A rejected command changes
 * the step before it is refused (its effects must go with the aborted step), so an engine that kept a step with
 * a rejection in it would show. {@code apply}, {@code recordApplied} and {@code recordRejected} outside a step,
 * a step begun inside another, and a snapshot, restore or {@code outcomeAt} inside a step are engine bugs.
 *
 * <p>Calls out of order are an engine bug: {@code apply}, {@code recordApplied} and {@code recordRejected}
 * demand exactly {@code lastApplied() + 1} and throw {@link AssertionError} otherwise.
 */
public final class SimStateMachine implements StateMachine {

    /** Commands starting with this byte are refused. */
    public static final byte REJECT_MARKER = 'X';
    /** Commands starting with this byte are reads. */
    public static final byte READ_MARKER = '?';
    private static final byte[] READ_PREFIX = {'='};

    private final String nodeId;
    private final boolean keepsOutcomes;
    /** The outcome of each command applied, by index, if it keeps them. */
    private final TreeMap<Long, AppliedOutcome> outcomes = new TreeMap<>();
    private final List<Long> outcomesAsked = new ArrayList<>();
    private final List<AppliedEntry> applied = new ArrayList<>();
    private long lastApplied;
    private long commandsApplied;
    /** The state: every command applied, in order (refused ones and reads excluded). */
    private final List<String> values = new ArrayList<>();
    private int failuresLeft;
    private Supplier<? extends RuntimeException> failure;
    private long rejectedIndex = -1;
    private byte[] rejectedCommand;
    private String rejectedReason;
    private final List<Restore> restores = new ArrayList<>();
    private final boolean batching;
    /** The open step of a state machine that applies in batches; null when none is open. */
    private Step step;
    private int commitFailuresLeft;
    private long stepsCommitted;
    private long stepsDiscarded;
    private long largestStep;

    /**
     * What a step changed, not yet committed: the entries and values it added, the outcomes it kept, and the
     * applied index and command count as the step sees them.
     */
    private static final class Step {
        final List<AppliedEntry> applied = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        final TreeMap<Long, AppliedOutcome> outcomes = new TreeMap<>();
        long lastApplied;
        long commandsApplied;

        Step(long lastApplied, long commandsApplied) {
            this.lastApplied = lastApplied;
            this.commandsApplied = commandsApplied;
        }
    }

    /**
     * A restore from a snapshot: the index it covers, the values it brought, and how many entries were in
     * {@link #appliedEntries()} when it happened (the next one applied is {@code index + 1}).
     */
    public record Restore(long index, List<String> values, int appliedBefore) {
    }

    /** An empty state machine of node {@code nodeId} (the id is for messages only) that keeps no outcomes. */
    public SimStateMachine(String nodeId) {
        this(nodeId, false);
    }

    /** An empty state machine of node {@code nodeId}, that keeps the outcomes of commands if told to. */
    public SimStateMachine(String nodeId, boolean keepsOutcomes) {
        this(nodeId, keepsOutcomes, false);
    }

    /**
     * An empty state machine of node {@code nodeId}, that keeps the outcomes of commands if told to, and
     * applies in batches (one atomic step per batch; see the class comment) if told to.
     */
    public SimStateMachine(String nodeId, boolean keepsOutcomes, boolean appliesInBatches) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.keepsOutcomes = keepsOutcomes;
        this.batching = appliesInBatches;
    }

    /** The answer to a read when {@code values} were applied: {@code "="}, then the values one per line. */
    public static byte[] readResult(List<String> values) {
        return ("=" + String.join("\n", values)).getBytes(StandardCharsets.UTF_8);
    }

    /** The values a {@link #readResult} names, or null if {@code result} is not one. */
    public static List<String> parseReadResult(byte[] result) {
        if (result == null || result.length == 0 || result[0] != READ_PREFIX[0]) {
            return null;
        }
        String text = new String(result, 1, result.length - 1, StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n", -1));
    }

    /** True if {@code command} is a read (see {@link #READ_MARKER}). */
    public static boolean isRead(byte[] command) {
        return command.length > 0 && command[0] == READ_MARKER;
    }

    /** The result a command gets when it is the {@code n}-th command applied. */
    public static byte[] resultFor(long n, byte[] command) {
        byte[] prefix = (n + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] result = new byte[prefix.length + command.length];
        System.arraycopy(prefix, 0, result, 0, prefix.length);
        System.arraycopy(command, 0, result, prefix.length, command.length);
        return result;
    }

    /** The applied index: inside a step, as the step sees it (its own changes included). */
    @Override
    public long lastApplied() {
        return step != null ? step.lastApplied : lastApplied;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        checkNext("apply", index);
        Objects.requireNonNull(command, "command");
        if (failuresLeft > 0) {
            failuresLeft--;
            throw failure.get();
        }
        if (command.length > 0 && command[0] == REJECT_MARKER) {
            // Remembered so the recordRejected that follows can note which command was refused, and why.
            rejectedIndex = index;
            rejectedCommand = command.clone();
            rejectedReason = "rejected " + MessageLabels.printable(command, 40);
            if (step != null) {
                // A change made before the command was found wrong: it must go with the step.
                step.commandsApplied++;
                step.values.add(new String(command, StandardCharsets.UTF_8));
            }
            throw new RejectedCommandException(rejectedReason);
        }
        byte[] result;
        if (step != null) {
            step.lastApplied = index;
            step.applied.add(new AppliedEntry(index, command.clone(), false));
            if (isRead(command)) {
                List<String> seen = new ArrayList<>(values);
                seen.addAll(step.values);
                result = readResult(seen);
            } else {
                step.commandsApplied++;
                step.values.add(new String(command, StandardCharsets.UTF_8));
                result = resultFor(step.commandsApplied, command);
            }
            if (keepsOutcomes) {
                step.outcomes.put(index, AppliedOutcome.ok(result.clone()));
            }
            return result;
        }
        lastApplied = index;
        applied.add(new AppliedEntry(index, command.clone(), false));
        if (isRead(command)) {
            result = readResult(values);
        } else {
            commandsApplied++;
            values.add(new String(command, StandardCharsets.UTF_8));
            result = resultFor(commandsApplied, command);
        }
        if (keepsOutcomes) {
            outcomes.put(index, AppliedOutcome.ok(result.clone()));
        }
        return result;
    }

    @Override
    public void recordApplied(long index) {
        checkNext("recordApplied", index);
        if (index == rejectedIndex) {
            throw new AssertionError("engine bug: recordApplied(" + index + ") on " + nodeId + " for the command it"
                    + " rejected; recordRejected expected");
        }
        if (step != null) {
            step.applied.add(new AppliedEntry(index, null, false));
            step.lastApplied = index;
            return;
        }
        applied.add(new AppliedEntry(index, null, false));
        lastApplied = index;
    }

    @Override
    public boolean keepsOutcomes() {
        return keepsOutcomes;
    }

    @Override
    public void recordRejected(long index, String reason) {
        checkNext("recordRejected", index);
        if (index != rejectedIndex || !Objects.equals(reason, rejectedReason)) {
            throw new AssertionError("engine bug: recordRejected(" + index + ", " + reason + ") on " + nodeId
                    + ", which rejected " + (rejectedIndex < 0 ? "nothing" : "index " + rejectedIndex + " ("
                    + rejectedReason + ")"));
        }
        if (step != null) {
            step.applied.add(new AppliedEntry(index, rejectedCommand, true));
            if (keepsOutcomes) {
                step.outcomes.put(index, AppliedOutcome.rejected(reason));
            }
            step.lastApplied = index;
        } else {
            applied.add(new AppliedEntry(index, rejectedCommand, true));
            if (keepsOutcomes) {
                outcomes.put(index, AppliedOutcome.rejected(reason));
            }
            lastApplied = index;
        }
        // Kept until the step is committed: an engine may abort it and record the rejection again.
        if (step == null) {
            rejectedIndex = -1;
            rejectedCommand = null;
            rejectedReason = null;
        }
    }

    // ---- batches

    @Override
    public boolean appliesInBatches() {
        return batching;
    }

    @Override
    public void beginBatch() {
        if (!batching) {
            throw new AssertionError("engine bug: beginBatch on " + nodeId + ", which does not apply in batches");
        }
        if (step != null) {
            throw new AssertionError("engine bug: beginBatch on " + nodeId + " inside an open step (begun at index "
                    + (lastApplied + 1) + ")");
        }
        step = new Step(lastApplied, commandsApplied);
    }

    /** Makes the step the state, at once; or, if set to fail ({@link #failNextCommits}), discards it and throws. */
    @Override
    public void commitBatch() {
        if (step == null) {
            throw new AssertionError("engine bug: commitBatch on " + nodeId + " with no step open");
        }
        if (commitFailuresLeft > 0) {
            commitFailuresLeft--;
            discardStep();
            throw new TransientApplyException("simulated: commit failed, the transaction rolled back");
        }
        Step s = step;
        step = null;
        applied.addAll(s.applied);
        values.addAll(s.values);
        outcomes.putAll(s.outcomes);
        lastApplied = s.lastApplied;
        commandsApplied = s.commandsApplied;
        stepsCommitted++;
        largestStep = Math.max(largestStep, s.applied.size());
        if (rejectedIndex >= 0 && rejectedIndex <= lastApplied) {
            rejectedIndex = -1;
            rejectedCommand = null;
            rejectedReason = null;
        }
    }

    /** Discards the open step, if any (after a failed commit there is none left). */
    @Override
    public void abortBatch() {
        if (!batching) {
            throw new AssertionError("engine bug: abortBatch on " + nodeId + ", which does not apply in batches");
        }
        if (step != null) {
            discardStep();
        }
    }

    /**
     * The node crashed: a step still open is lost, as a database loses a transaction it did not commit. (On
     * the simulator a step runs within one event, so a crash falls between steps; this holds either way.)
     */
    public void crash() {
        if (step != null) {
            discardStep();
        }
    }

    private void discardStep() {
        step = null;
        stepsDiscarded++;
    }

    /** The next {@code count} commits of a step fail (transiently), the step discarded. */
    public void failNextCommits(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        this.commitFailuresLeft = count;
    }

    /** Commits still set to fail. */
    public int commitFailuresLeft() {
        return commitFailuresLeft;
    }

    /** True while a step is open. */
    public boolean stepOpen() {
        return step != null;
    }

    /** Steps committed, over every incarnation. */
    public long stepsCommitted() {
        return stepsCommitted;
    }

    /** Steps discarded: aborted, failed to commit, or lost in a crash. */
    public long stepsDiscarded() {
        return stepsDiscarded;
    }

    /** The most entries a committed step applied or recorded. */
    public long largestStep() {
        return largestStep;
    }

    /** The outcome kept at {@code index}, null if none (not a command, or before a restore, or not kept). */
    @Override
    public AppliedOutcome outcomeAt(long index) {
        notInStep("outcomeAt");
        if (index > lastApplied) {
            throw new AssertionError("engine bug: outcomeAt(" + index + ") on " + nodeId + " whose last applied index"
                    + " is " + lastApplied);
        }
        outcomesAsked.add(index);
        AppliedOutcome o = outcomes.get(index);
        return o == null ? null : o.isRejected() ? o : AppliedOutcome.ok(o.output().clone());
    }

    /** Every index the engine asked the outcome of ({@link #outcomeAt}), in order, over every incarnation. */
    public List<Long> outcomesAsked() {
        return List.copyOf(outcomesAsked);
    }

    @Override
    public boolean supportsSnapshots() {
        return true;
    }

    /** Copies the state: the view stays as it was while later applies change the state. */
    @Override
    public StateSnapshot snapshot() {
        notInStep("snapshot");
        long at = lastApplied;
        long commands = commandsApplied;
        List<String> copy = List.copyOf(values);
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(at);
            data.writeLong(commands);
            data.writeInt(copy.size());
            for (String v : copy) {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                data.writeInt(b.length);
                data.write(b);
            }
            data.flush();
        };
    }

    /** Reads the whole snapshot before changing anything, so a failed read leaves the state as it was. */
    @Override
    public void restore(long index, InputStream in) throws IOException {
        notInStep("restore");
        DataInputStream data = new DataInputStream(in);
        long at = data.readLong();
        long commands = data.readLong();
        int count = data.readInt();
        List<String> read = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[data.readInt()];
            data.readFully(b);
            read.add(new String(b, StandardCharsets.UTF_8));
        }
        if (data.read() != -1) {
            throw new IOException("snapshot " + index + " has bytes after its state");
        }
        if (at != index) {
            throw new AssertionError("engine bug: snapshot of index " + at + " restored as index " + index + " on "
                    + nodeId);
        }
        values.clear();
        values.addAll(read);
        commandsApplied = commands;
        outcomes.clear();
        lastApplied = index;
        restores.add(new Restore(index, List.copyOf(read), applied.size()));
    }

    /** Every restore from a snapshot, in order. */
    public List<Restore> restores() {
        return List.copyOf(restores);
    }

    /** The highest index a restore covered, 0 if there was none. */
    public long restoredUpTo() {
        long max = 0;
        for (Restore r : restores) {
            max = Math.max(max, r.index());
        }
        return max;
    }

    /** How many restores happened (for incremental readers). */
    public int restoreCount() {
        return restores.size();
    }

    /** The values applied so far, in order (the state). */
    public List<String> values() {
        return List.copyOf(values);
    }

    /**
     * What a linearizable read's query sees (the values applied so far), with the applied index it saw them
     * at. Queries run on the apply executor between applies: inside an open step is an engine bug.
     */
    public QueryView query() {
        notInStep("a read query");
        return new QueryView(lastApplied, List.copyOf(values));
    }

    /** The state a read query saw: the applied index and the values. */
    public record QueryView(long appliedIndex, List<String> values) {
    }

    private void checkNext(String call, long index) {
        if (batching && step == null) {
            throw new AssertionError("engine bug: " + call + "(" + index + ") on " + nodeId + " outside a step (it"
                    + " applies in batches: beginBatch first)");
        }
        long last = lastApplied();
        if (index != last + 1) {
            throw new AssertionError("engine bug: " + call + "(" + index + ") on " + nodeId
                    + " whose last applied index is " + last + " (expected " + (last + 1) + ")");
        }
    }

    private void notInStep(String call) {
        if (step != null) {
            throw new AssertionError("engine bug: " + call + " on " + nodeId + " inside an open step");
        }
    }

    /**
     * Makes the next {@code count} calls of {@code apply} throw what {@code failure} supplies, changing
     * nothing.
     */
    public void failNextApplies(int count, Supplier<? extends RuntimeException> failure) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        this.failuresLeft = count;
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** The next {@code count} applies throw {@link TransientApplyException} (database down). */
    public void failNextAppliesTransiently(int count) {
        failNextApplies(count, () -> new TransientApplyException("simulated: state store unavailable"));
    }

    /** The next {@code count} applies throw a plain {@link IllegalStateException} (a bug). */
    public void failNextAppliesWithBug(int count) {
        failNextApplies(count, () -> new IllegalStateException("simulated: bug in apply"));
    }

    /** Applies still set to fail. */
    public int failuresLeft() {
        return failuresLeft;
    }

    /** Number of commands applied (not rejected, not recorded-only). */
    public long commandsApplied() {
        return commandsApplied;
    }

    /** Every index applied or recorded, in order. */
    public List<AppliedEntry> appliedEntries() {
        return List.copyOf(applied);
    }

    /** How many indexes were applied or recorded (for incremental readers). */
    public int appliedCount() {
        return applied.size();
    }

    /** The {@code position}-th entry applied or recorded, from 0. */
    public AppliedEntry appliedAt(int position) {
        return applied.get(position);
    }

    /** The command applied at {@code index}, or {@code null} if none was (not yet, or no command). */
    public byte[] commandAt(long index) {
        for (int i = applied.size() - 1; i >= 0; i--) {
            AppliedEntry e = applied.get(i);
            if (e.index() == index) {
                return e.rejected() || e.command() == null ? null : e.command().clone();
            }
            if (e.index() < index) {
                break;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "SimStateMachine[" + nodeId + ", lastApplied=" + lastApplied + ", commands=" + commandsApplied
                + (keepsOutcomes ? ", keeps outcomes" : "") + (batching ? ", applies in batches" : "")
                + (step != null ? ", step open" : "") + "]";
    }
}
