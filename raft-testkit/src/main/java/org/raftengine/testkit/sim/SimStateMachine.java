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
 * and answers the list of commands applied so far ({@link #readResult}), which is how a client reads
 * linearizably before the engine has a read path of its own (ReadIndex).
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
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.keepsOutcomes = keepsOutcomes;
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

    @Override
    public long lastApplied() {
        return lastApplied;
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
            throw new RejectedCommandException(rejectedReason);
        }
        lastApplied = index;
        applied.add(new AppliedEntry(index, command.clone(), false));
        byte[] result;
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
        applied.add(new AppliedEntry(index, rejectedCommand, true));
        if (keepsOutcomes) {
            outcomes.put(index, AppliedOutcome.rejected(reason));
        }
        rejectedIndex = -1;
        rejectedCommand = null;
        rejectedReason = null;
        lastApplied = index;
    }

    /** The outcome kept at {@code index}, null if none (not a command, or before a restore, or not kept). */
    @Override
    public AppliedOutcome outcomeAt(long index) {
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

    private void checkNext(String call, long index) {
        if (index != lastApplied + 1) {
            throw new AssertionError("engine bug: " + call + "(" + index + ") on " + nodeId
                    + " whose last applied index is " + lastApplied + " (expected " + (lastApplied + 1) + ")");
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
                + (keepsOutcomes ? ", keeps outcomes" : "") + "]";
    }
}
