package org.raftengine.core.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.raftengine.core.CommandResult;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.wire.SessionCommand;

/**
 * The client-session table: part of the replicated state, so that a session command is applied at most
 * once per session and sequence, and a duplicate is answered with the original outcome. Confined to the
 * apply executor (it changes in log order, with the state machine); it goes into every snapshot.
 *
 * <p>Per client id it keeps the outcomes (index, and output or rejection) of the sequences it applied at or
 * above the session's lowest unanswered mark (which the session reports in each command: it no longer awaits
 * anything below), and the replicated time of its last command.
 *
 * <p><b>Time and expiry.</b> The time is the leaders' clock carried in the entries, made non-decreasing
 * here (each entry's time is the max of its own and the previous one), so every replica sees the same
 * time at the same entry, whatever its own clock says. A session with no command for the cluster's
 * {@code sessionTimeoutMillis} of that time is expired: its outcomes are gone and every command of it is
 * refused, even one that would open it (a copy of a command delayed in a queue, sent before the session
 * expired, may be a duplicate of one applied under it). The expired session is remembered so for
 * {@value #TOMBSTONE_TIMEOUTS} time-outs more, then forgotten. Both are checked exactly whenever the table is
 * asked, and the table is cleaned physically at points every replica meets alike (before the time-out
 * setting changes, and at the leaders' time passing a multiple of an eighth of the time-out), so the logical
 * table is the same on every replica.
 *
 * <p><b>Rules for a session command</b> (see {@link #admit}):
 * <ul>
 *   <li>Expired session (remembered): refused.</li>
 *   <li>Unknown session: a command that {@link SessionCommand#opens()} (the first submission of
 *   its sequence: it cannot be a duplicate) opens it, with the lowest sequence the client awaits as its mark.
 *   Any other command is {@link CommandResult.Refused} (the session never opened, or was forgotten).</li>
 *   <li>A sequence below the lowest unanswered mark: refused; the client no longer awaits it, so its answer
 *   may have been dropped, and applying it now would break an answer given (Ok, or Retry).</li>
 *   <li>A sequence already applied: not applied again; answered with its original outcome, or, if that
 *   outcome is not known here, refused saying it was applied at that index. It is not known only after a
 *   restart (see {@link #replay(SessionCommand, long, LongFunction)}): a state machine that keeps its own state resumes past the latest snapshot,
 *   and the table learns the commands applied since from the log, which holds no outcomes; a state machine
 *   that {@link org.raftengine.core.spi.StateMachine#keepsOutcomes() keeps outcomes} tells them.</li>
 *   <li>Otherwise it is applied. At most {@link #MAX_RESULTS_PER_SESSION} outcomes are kept per session:
 *   beyond, the lowest goes and the mark moves past it (a client that never reports answers cannot grow
 *   the table without bound).</li>
 * </ul>
 *
 * <p><b>Checkpoints.</b> For a state machine that {@linkplain org.raftengine.core.spi.StateMachine#appliesInBatches()
 * applies in batches}, the table changes with the state machine's step: {@link #checkpoint} before it,
 * {@link #rollback} if the step is undone, {@link #release} once it is durable. A checkpoint costs what the step
 * changes, not the table's size: the first time the step changes a session (or removes it, or opens it), a deep
 * copy of it as it was is saved, and the table's own fields once per checkpoint.
 */
final class ClientSessions {
    /** Time-outs an expired session is remembered for (refusing its commands) before it is forgotten. */
    static final int TOMBSTONE_TIMEOUTS = 16;
    /** Outcomes kept per session at most. */
    static final int MAX_RESULTS_PER_SESSION = 10_000;
    /** How the refusal of a command of an unknown session begins (forwarders tell it from the others). */
    static final String UNKNOWN_SESSION = "unknown session ";
    private static final int FORMAT_VERSION = 1;
    private static final byte KIND_OK = 0;
    private static final byte KIND_REJECTED = 1;
    private static final byte KIND_UNKNOWN = 2;

    /**
     * An applied sequence's outcome: output (Ok) or rejection (ApplicationError); neither if not known (replayed
     * after a restart from a state machine that keeps no outcomes, or did not keep this one).
     */
    private record Outcome(long index, byte kind, byte[] output, String rejection) {
        CommandResult answer(String clientId, long sequence) {
            return switch (kind) {
                case KIND_OK -> new CommandResult.Ok(index, output);
                case KIND_REJECTED -> new CommandResult.ApplicationError(index, rejection);
                default -> new CommandResult.Refused("sequence " + sequence + " of session " + clientId
                        + " was applied, exactly once, at index " + index + "; its result is not known on this node"
                        + " (applied before the node restarted, by a state machine that keeps its own state but did"
                        + " not keep this command's outcome)");
            };
        }
    }

    private static final class Session {
        /** Expired: outcomes dropped, every command refused until it is forgotten. */
        boolean expired;
        long lowestUnanswered = 1;
        long lastActiveMillis;
        final TreeMap<Long, Outcome> outcomes;

        Session() {
            outcomes = new TreeMap<>();
        }

        /** A deep copy (outcomes are immutable, so shared). */
        private Session(Session s) {
            expired = s.expired;
            lowestUnanswered = s.lowestUnanswered;
            lastActiveMillis = s.lastActiveMillis;
            outcomes = new TreeMap<>(s.outcomes);
        }
    }

    private final Map<String, Session> sessions = new HashMap<>();
    /** The replicated time: the greatest leader time of the entries seen. */
    private long timeMillis;
    private long timeoutMillis;
    /** The last multiple of the sweep period the time passed: sweeps are at the same entries everywhere. */
    private long sweptPeriods;
    /**
     * While a checkpoint is open: each session changed since, as it was before its first change (null: it was
     * not in the table); else null.
     */
    private Map<String, Session> saved;
    private long savedTimeMillis;
    private long savedTimeoutMillis;
    private long savedSweptPeriods;

    ClientSessions(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** Sessions in the table, expired ones not yet removed included. */
    int size() {
        return sessions.size();
    }

    long timeMillis() {
        return timeMillis;
    }

    // ---- checkpoints

    /**
     * Opens a checkpoint: {@link #rollback} brings the table back to exactly this state, until {@link #release}.
     *
     * @throws IllegalStateException if one is open already
     */
    void checkpoint() {
        if (saved != null) {
            throw new IllegalStateException("a checkpoint of the session table is open already");
        }
        saved = new HashMap<>();
        savedTimeMillis = timeMillis;
        savedTimeoutMillis = timeoutMillis;
        savedSweptPeriods = sweptPeriods;
    }

    /** Brings the table back to its state at {@link #checkpoint}, and closes the checkpoint. */
    void rollback() {
        if (saved == null) {
            throw new IllegalStateException("no checkpoint of the session table is open");
        }
        saved.forEach((id, before) -> {
            if (before == null) {
                sessions.remove(id);
            } else {
                sessions.put(id, before);
            }
        });
        timeMillis = savedTimeMillis;
        timeoutMillis = savedTimeoutMillis;
        sweptPeriods = savedSweptPeriods;
        saved = null;
    }

    /** Keeps the changes since {@link #checkpoint}, and closes the checkpoint. */
    void release() {
        if (saved == null) {
            throw new IllegalStateException("no checkpoint of the session table is open");
        }
        saved = null;
    }

    /** True while a checkpoint is open. */
    boolean checkpointOpen() {
        return saved != null;
    }

    /** Sessions saved by the open checkpoint (changed since), for tests; 0 if none is open. */
    int savedSessions() {
        return saved == null ? 0 : saved.size();
    }

    /** Before session {@code s} (null: absent) of {@code id} changes or goes: saved as it is, once per checkpoint. */
    private void changing(String id, Session s) {
        if (saved != null && !saved.containsKey(id)) {
            saved.put(id, s == null ? null : new Session(s));
        }
    }

    /**
     * A configuration entry applied: the session time-out may change. Sessions expired under the old one are
     * removed first, at this same entry on every replica, so the change never revives or expires a session
     * differently on one replica than on another.
     */
    void onTimeout(long newTimeoutMillis) {
        if (newTimeoutMillis != timeoutMillis) {
            sweep();
            timeoutMillis = newTimeoutMillis;
            sweptPeriods = periods();
        }
    }

    /**
     * Decides a session command about to be applied at {@code index}: {@code null} if it is to be applied
     * (then {@link #recorded} must follow once it was), else the answer it gets instead (a duplicate's
     * original outcome, or a refusal). Idempotent: an apply that failed and is retried asks again.
     */
    CommandResult admit(SessionCommand c) {
        advanceTime(c.leaderTimeMillis());
        Session s = live(c.clientId());
        if (s != null && s.expired) {
            return new CommandResult.Refused(UNKNOWN_SESSION + c.clientId() + " expired (no command for"
                    + " sessionTimeoutMillis, " + timeoutMillis + " ms); open a new session");
        }
        if (s == null) {
            if (!c.opens()) {
                return new CommandResult.Refused(UNKNOWN_SESSION + c.clientId() + " is not known to the cluster: it"
                        + " expired (no command for sessionTimeoutMillis, " + timeoutMillis + " ms) or was never opened;"
                        + " open a new session");
            }
            changing(c.clientId(), null);
            s = new Session();
            // The client's own mark: lower sequences it still awaits (sent together, overtaken on the way) are
            // admitted; an expired session is remembered for long, so none of them can be a duplicate of a
            // command applied under an earlier life of the session, unless delayed past that memory.
            s.lowestUnanswered = c.lowestUnanswered();
            sessions.put(c.clientId(), s);
        }
        changing(c.clientId(), s);
        s.lastActiveMillis = timeMillis;
        if (c.lowestUnanswered() > s.lowestUnanswered) {
            s.lowestUnanswered = c.lowestUnanswered();
            s.outcomes.headMap(s.lowestUnanswered).clear();
        }
        if (c.sequence() < s.lowestUnanswered) {
            return new CommandResult.Refused("sequence " + c.sequence() + " of session " + c.clientId()
                    + " is below the lowest one the session awaits (" + s.lowestUnanswered + "): it was answered"
                    + " already, and its answer dropped");
        }
        Outcome o = s.outcomes.get(c.sequence());
        return o == null ? null : o.answer(c.clientId(), c.sequence());
    }

    /** The command admitted by {@link #admit} was applied: with {@code output}, or rejected with {@code rejection}. */
    void recorded(SessionCommand c, long index, byte[] output, String rejection) {
        record(c, new Outcome(index, rejection != null ? KIND_REJECTED : KIND_OK, output, rejection));
    }

    /**
     * Bookkeeping only, after a restart: the command at {@code index} was applied by the state machine
     * before it (or is a duplicate that was answered, not applied); the table learns it as {@link #admit} and
     * {@link #recorded} would have. Its output is not in the log: if the table admits the command (it was
     * applied, not a duplicate), its outcome is asked of {@code keptOutcome} (a state machine that keeps
     * outcomes): a non-null one is recorded as the original outcome, output or rejection; null leaves it
     * unknown. Asked only for a command applied, never for a duplicate.
     */
    void replay(SessionCommand c, long index, LongFunction<AppliedOutcome> keptOutcome) {
        if (admit(c) == null) {
            AppliedOutcome kept = keptOutcome.apply(index);
            record(c, kept == null ? new Outcome(index, KIND_UNKNOWN, null, null)
                    : kept.isRejected() ? new Outcome(index, KIND_REJECTED, null, kept.rejection())
                    : new Outcome(index, KIND_OK, kept.output(), null));
        }
    }

    private void record(SessionCommand c, Outcome o) {
        Session s = sessions.get(c.clientId());
        changing(c.clientId(), s);
        s.outcomes.put(c.sequence(), o);
        if (s.outcomes.size() > MAX_RESULTS_PER_SESSION) {
            s.lowestUnanswered = s.outcomes.pollFirstEntry().getKey() + 1;
        }
    }

    /** The session as of the current time: null if unknown or forgotten, marked expired if it expired. */
    private Session live(String clientId) {
        Session s = sessions.get(clientId);
        if (s != null && !settle(clientId, s)) {
            changing(clientId, s);
            sessions.remove(clientId);
            return null;
        }
        return s;
    }

    /** Marks {@code s} (of {@code id}) expired if it is; false if it is to be forgotten. */
    private boolean settle(String id, Session s) {
        if (s.lastActiveMillis + timeoutMillis < timeMillis && !s.expired) {
            changing(id, s);
            s.expired = true;
            s.outcomes.clear();
        }
        return !s.expired || s.lastActiveMillis + TOMBSTONE_TIMEOUTS * timeoutMillis >= timeMillis;
    }

    private boolean expired(Session s) {
        return s.expired || s.lastActiveMillis + timeoutMillis < timeMillis;
    }

    private void advanceTime(long entryMillis) {
        if (entryMillis > timeMillis) {
            timeMillis = entryMillis;
            long p = periods();
            if (p != sweptPeriods) {
                sweptPeriods = p;
                sweep();
            }
        }
    }

    private long periods() {
        return timeMillis / Math.max(1, timeoutMillis / 8);
    }

    private void sweep() {
        for (Iterator<Map.Entry<String, Session>> it = sessions.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Session> e = it.next();
            if (!settle(e.getKey(), e.getValue())) {
                changing(e.getKey(), e.getValue());
                it.remove();
            }
        }
    }

    // ---- snapshots

    /** Writes the table (a snapshot's part of it); on the apply executor, so it is the table at the view. */
    byte[] toBytes() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    private void writeTo(DataOutputStream out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        out.writeLong(timeMillis);
        out.writeLong(timeoutMillis);
        out.writeInt(sessions.size());
        // In id order: the same table makes the same bytes on every replica.
        for (Map.Entry<String, Session> e : new TreeMap<>(sessions).entrySet()) {
            Session s = e.getValue();
            byte[] id = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.writeInt(id.length);
            out.write(id);
            out.writeBoolean(s.expired);
            out.writeLong(s.lowestUnanswered);
            out.writeLong(s.lastActiveMillis);
            out.writeInt(s.outcomes.size());
            for (Map.Entry<Long, Outcome> r : s.outcomes.entrySet()) {
                Outcome o = r.getValue();
                out.writeLong(r.getKey());
                out.writeLong(o.index());
                out.writeByte(o.kind());
                if (o.kind() == KIND_OK) {
                    out.writeInt(o.output().length);
                    out.write(o.output());
                } else if (o.kind() == KIND_REJECTED) {
                    byte[] m = o.rejection().getBytes(StandardCharsets.UTF_8);
                    out.writeInt(m.length);
                    out.write(m);
                }
            }
        }
    }

    /** Reads a table written by {@link #toBytes}. */
    static ClientSessions readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int version = data.readUnsignedByte();
        if (version != FORMAT_VERSION) {
            throw new IOException("client-session table format " + version + ", this node reads " + FORMAT_VERSION);
        }
        long time = data.readLong();
        ClientSessions t = new ClientSessions(data.readLong());
        t.timeMillis = time;
        t.sweptPeriods = t.periods();
        int count = data.readInt();
        for (int i = 0; i < count; i++) {
            String id = new String(readBytes(data), StandardCharsets.UTF_8);
            Session s = new Session();
            s.expired = data.readBoolean();
            s.lowestUnanswered = data.readLong();
            s.lastActiveMillis = data.readLong();
            int n = data.readInt();
            for (int k = 0; k < n; k++) {
                long seq = data.readLong();
                long index = data.readLong();
                byte kind = data.readByte();
                Outcome o = switch (kind) {
                    case KIND_OK -> new Outcome(index, kind, readBytes(data), null);
                    case KIND_REJECTED -> new Outcome(index, kind, null,
                            new String(readBytes(data), StandardCharsets.UTF_8));
                    case KIND_UNKNOWN -> new Outcome(index, kind, null, null);
                    default -> throw new IOException("unknown outcome kind " + kind + " in the client-session table");
                };
                s.outcomes.put(seq, o);
            }
            t.sessions.put(id, s);
        }
        return t;
    }

    private static byte[] readBytes(DataInputStream data) throws IOException {
        int n = data.readInt();
        if (n < 0) {
            throw new IOException("negative length " + n + " in the client-session table");
        }
        byte[] b = data.readNBytes(n);
        if (b.length < n) {
            throw new java.io.EOFException("the client-session table ends inside a field");
        }
        return b;
    }

    /** Same table, for tests: the same sessions, marks, outcomes, time and time-out. */
    boolean sameAs(ClientSessions o) {
        return java.util.Arrays.equals(canonical().toBytes(), o.canonical().toBytes());
    }

    private ClientSessions canonical() {
        ClientSessions c = new ClientSessions(timeoutMillis);
        c.timeMillis = timeMillis;
        sessions.forEach((id, s) -> {
            if (!expired(s)) {
                c.sessions.put(id, s);
            }
        });
        // Expired ones that are remembered count by id only: their outcomes are gone either way.
        sessions.forEach((id, s) -> {
            if (expired(s) && s.lastActiveMillis + TOMBSTONE_TIMEOUTS * timeoutMillis >= timeMillis) {
                Session tomb = new Session();
                tomb.expired = true;
                c.sessions.put(id, tomb);
            }
        });
        return c;
    }
}
