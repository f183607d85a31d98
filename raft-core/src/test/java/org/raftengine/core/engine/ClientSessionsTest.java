package org.raftengine.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.wire.SessionCommand;

/** The session table: duplicates, dropped answers, unknown sessions, expiry by the replicated time, snapshots. */
class ClientSessionsTest {
    private static final long TIMEOUT = 10_000;

    /** A first submission (it may open the session). */
    private static SessionCommand cmd(String id, long seq, long lowest, long time) {
        return new SessionCommand(id, seq, lowest, time, true, ("c" + seq).getBytes(StandardCharsets.UTF_8));
    }

    /** A re-submission or re-sent copy: it never opens a session. */
    private static SessionCommand again(String id, long seq, long lowest, long time) {
        return cmd(id, seq, lowest, time).notOpening();
    }

    /** Admits and, if admitted, records it applied at {@code index} with output "out<index>". */
    private static CommandResult apply(ClientSessions t, SessionCommand c, long index) {
        CommandResult answer = t.admit(c);
        if (answer == null) {
            t.recorded(c, index, ("out" + index).getBytes(StandardCharsets.UTF_8), null);
        }
        return answer;
    }

    @Test
    void aDuplicateIsAnsweredWithTheOriginalOutcomeAndNotAppliedAgain() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        assertThat(apply(t, cmd("a", 1, 1, 1000), 5)).isNull();
        CommandResult again = apply(t, cmd("a", 1, 1, 1500), 9);
        assertThat(again).isInstanceOfSatisfying(CommandResult.Ok.class, ok -> {
            assertThat(ok.index()).isEqualTo(5);
            assertThat(new String(ok.result(), StandardCharsets.UTF_8)).isEqualTo("out5");
        });
        // A rejection is the original outcome too.
        SessionCommand two = cmd("a", 2, 1, 1600);
        assertThat(t.admit(two)).isNull();
        t.recorded(two, 10, null, "no such key");
        assertThat(t.admit(cmd("a", 2, 1, 1700))).isEqualTo(new CommandResult.ApplicationError(10, "no such key"));
    }

    @Test
    void sequencesOutOfOrderAreEachAppliedOnce() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        assertThat(apply(t, cmd("a", 1, 1, 10), 1)).isNull();
        assertThat(apply(t, cmd("a", 3, 1, 10), 2)).isNull();
        assertThat(apply(t, cmd("a", 2, 1, 10), 3)).isNull(); // lower, never applied: applied now
        assertThat(apply(t, again("a", 3, 1, 10), 4)).isInstanceOf(CommandResult.Ok.class);
    }

    @Test
    void answersBelowTheLowestUnansweredMarkAreDroppedAndTheirSequencesRefused() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        apply(t, cmd("a", 1, 1, 10), 1);
        apply(t, cmd("a", 2, 1, 10), 2);
        assertThat(apply(t, cmd("a", 3, 3, 10), 3)).isNull(); // the client no longer awaits 1 and 2
        CommandResult late = apply(t, cmd("a", 2, 2, 10), 4);
        assertThat(late).isInstanceOfSatisfying(CommandResult.Refused.class,
                r -> assertThat(r.reason()).contains("below the lowest one the session awaits (3)"));
        assertThat(apply(t, cmd("a", 3, 3, 10), 5)).isInstanceOf(CommandResult.Ok.class);
    }

    @Test
    void anUnknownSessionIsOpenedOnlyByAFirstSubmissionWithTheClientsMark() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        assertThat(apply(t, again("b", 7, 7, 10), 1)).isInstanceOfSatisfying(CommandResult.Refused.class,
                r -> assertThat(r.reason()).contains("not known to the cluster"));
        assertThat(t.size()).isZero();
        // Sequence 7 overtook 5 and 6, which the client still awaits (mark 5): they are admitted after it.
        assertThat(apply(t, cmd("b", 7, 5, 10), 2)).isNull();
        assertThat(t.size()).isEqualTo(1);
        assertThat(apply(t, cmd("b", 5, 5, 10), 3)).isNull();
        assertThat(apply(t, cmd("b", 4, 4, 10), 4)).isInstanceOf(CommandResult.Refused.class); // below the mark
        assertThat(apply(t, again("b", 7, 5, 10), 5)).isInstanceOf(CommandResult.Ok.class);
    }

    @Test
    void anExpiredSessionRefusesEvenAnOpeningCopyUntilItIsForgotten() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        assertThat(apply(t, cmd("a", 1, 1, 1_000), 1)).isNull();
        // The client never heard; the session expires; it re-submits: refused, not applied again.
        assertThat(apply(t, again("a", 1, 1, 20_000), 2)).isInstanceOf(CommandResult.Refused.class);
        // The first copy of seq 1, delayed in a queue, may open a session: not an expired one.
        assertThat(apply(t, cmd("a", 1, 1, 20_001), 3)).isInstanceOfSatisfying(CommandResult.Refused.class,
                r -> assertThat(r.reason()).contains("expired"));
        assertThat(apply(t, cmd("a", 2, 1, 20_002), 4)).isInstanceOf(CommandResult.Refused.class);
        // Remembered for TOMBSTONE_TIMEOUTS time-outs after its last command, then forgotten.
        long forgottenAt = 1_000 + ClientSessions.TOMBSTONE_TIMEOUTS * TIMEOUT + 1;
        assertThat(apply(t, cmd("a", 3, 1, forgottenAt - 1), 5)).isInstanceOf(CommandResult.Refused.class);
        assertThat(apply(t, cmd("a", 3, 3, forgottenAt), 6)).isNull();
        assertThat(apply(t, again("a", 1, 1, forgottenAt), 7)).isInstanceOf(CommandResult.Refused.class);
    }

    @Test
    void sessionsExpireByTheReplicatedTimeNeverGoingBack() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        apply(t, cmd("a", 1, 1, 1_000), 1);
        apply(t, cmd("b", 1, 1, 1_000), 2);
        // "b" stays active; a leader with a clock far behind does not move the time back.
        apply(t, cmd("b", 2, 2, 9_000), 3);
        apply(t, cmd("b", 3, 3, 50), 4);
        assertThat(t.timeMillis()).isEqualTo(9_000);
        assertThat(apply(t, cmd("a", 2, 2, 11_000), 5)).isNull(); // exactly the time-out: still alive
        apply(t, cmd("b", 4, 4, 19_000), 6);
        CommandResult expired = apply(t, again("a", 3, 3, 21_001), 7);
        assertThat(expired).isInstanceOfSatisfying(CommandResult.Refused.class,
                r -> assertThat(r.reason()).contains("expired").contains("10000 ms"));
        assertThat(apply(t, cmd("b", 5, 5, 21_002), 8)).isNull();
    }

    @Test
    void aShorterTimeoutRemovesWhatExpiredUnderTheOldOneAtTheSameEntryEverywhere() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        apply(t, cmd("a", 1, 1, 1_000), 1);
        apply(t, cmd("b", 1, 1, 5_000), 2);
        t.onTimeout(3_000);
        assertThat(apply(t, again("a", 2, 2, 5_000), 3)).isInstanceOf(CommandResult.Refused.class);
        assertThat(apply(t, cmd("b", 2, 2, 5_000), 4)).isNull();
    }

    @Test
    void aSessionKeepsABoundedNumberOfAnswers() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        int n = ClientSessions.MAX_RESULTS_PER_SESSION + 5;
        for (int seq = 1; seq <= n; seq++) {
            assertThat(apply(t, cmd("a", seq, 1, 10), seq)).isNull();
        }
        assertThat(apply(t, cmd("a", 5, 1, 10), n + 1)).isInstanceOf(CommandResult.Refused.class);
        assertThat(apply(t, cmd("a", 6, 1, 10), n + 2)).isInstanceOf(CommandResult.Ok.class);
    }

    @Test
    void replayedCommandsAreKnownAsAppliedWithoutTheirResult() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        t.replay(cmd("a", 1, 1, 10), 4, i -> null);
        t.replay(cmd("a", 1, 1, 20), 6, i -> null); // a duplicate in the log: bookkeeping only, no second record
        CommandResult dup = apply(t, cmd("a", 1, 1, 30), 8);
        assertThat(dup).isInstanceOfSatisfying(CommandResult.Refused.class,
                r -> assertThat(r.reason()).contains("exactly once, at index 4").contains("not known"));
    }

    @Test
    void replayedCommandsWithKeptOutcomesAnswerDuplicatesWithTheOriginalOutcome() throws IOException {
        ClientSessions t = new ClientSessions(TIMEOUT);
        List<Long> asked = new ArrayList<>();
        LongFunction<AppliedOutcome> kept = index -> {
            asked.add(index);
            return index == 4 ? AppliedOutcome.ok(bytes("out4"))
                    : index == 5 ? AppliedOutcome.rejected("no such key") : null;
        };
        t.replay(cmd("a", 1, 1, 10), 4, kept);
        t.replay(cmd("a", 2, 1, 10), 5, kept);
        t.replay(cmd("a", 3, 1, 10), 6, kept); // applied, but its outcome was not kept (say, compacted away)
        t.replay(again("a", 1, 1, 20), 7, kept); // a duplicate in the log: no outcome of its own, not asked
        assertThat(asked).containsExactly(4L, 5L, 6L);

        assertThat(apply(t, again("a", 1, 1, 30), 8)).isInstanceOfSatisfying(CommandResult.Ok.class, ok -> {
            assertThat(ok.index()).isEqualTo(4);
            assertThat(ok.result()).isEqualTo(bytes("out4"));
        });
        assertThat(apply(t, again("a", 2, 1, 30), 9)).isEqualTo(new CommandResult.ApplicationError(5, "no such key"));
        assertThat(apply(t, again("a", 3, 1, 30), 10)).isInstanceOfSatisfying(CommandResult.Refused.class,
                r -> assertThat(r.reason()).contains("exactly once, at index 6").contains("not known"));
        // The kept outcomes are the table's like any other: in its snapshot too.
        ClientSessions copy = ClientSessions.readFrom(new ByteArrayInputStream(t.toBytes()));
        assertThat(copy.sameAs(t)).isTrue();
        assertThat(copy.admit(again("a", 2, 1, 40))).isEqualTo(new CommandResult.ApplicationError(5, "no such key"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theTableSurvivesASnapshotEnvelope() throws IOException {
        ClientSessions t = new ClientSessions(TIMEOUT);
        apply(t, cmd("a", 1, 1, 1_000), 1);
        SessionCommand rejected = cmd("ключ", 1, 1, 2_000);
        t.admit(rejected);
        t.recorded(rejected, 2, null, "refused");
        t.replay(cmd("c", 4, 1, 2_500), 3, i -> null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotEnvelope.writeHeader(out, t.toBytes());
        out.write("state".getBytes(StandardCharsets.UTF_8));
        SnapshotEnvelope.Opened opened = SnapshotEnvelope.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(opened.sessions().sameAs(t)).isTrue();
        assertThat(new String(opened.state().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("state");
        assertThat(opened.sessions().admit(cmd("a", 1, 1, 3_000))).isInstanceOf(CommandResult.Ok.class);
        assertThat(opened.sessions().admit(cmd("ключ", 1, 1, 3_000)))
                .isEqualTo(new CommandResult.ApplicationError(2, "refused"));
        assertThat(opened.sessions().admit(cmd("c", 4, 1, 3_000))).isInstanceOf(CommandResult.Refused.class);
    }

    // ---- checkpoints (a state machine that applies in batches)

    private static ClientSessions copyOf(ClientSessions t) throws IOException {
        return ClientSessions.readFrom(new ByteArrayInputStream(t.toBytes()));
    }

    /** Asserts {@code t} is exactly {@code before}, and stays so under the same commands. */
    private static void assertSameTable(ClientSessions t, ClientSessions reference) {
        assertThat(t.toBytes()).as("the table byte for byte").isEqualTo(reference.toBytes());
        assertThat(t.sameAs(reference)).isTrue();
        assertThat(t.size()).isEqualTo(reference.size());
    }

    /** The same later commands on both tables give the same answers and the same tables (sweeps included). */
    private static void assertSameFuture(ClientSessions t, ClientSessions reference, long from) {
        List<SessionCommand> later = List.of(again("a", 4, 1, from), cmd("b", 9, 9, from + 1),
                cmd("n", 1, 1, from + 2), again("old", 3, 1, from + 3 * TIMEOUT), cmd("c", 5, 1, from + 3 * TIMEOUT),
                again("a", 2, 1, from + 3 * TIMEOUT + 1));
        long index = 1000;
        for (SessionCommand c : later) {
            index++;
            assertThat(describe(apply(t, c, index))).as("answer to %s", c)
                    .isEqualTo(describe(apply(reference, c, index)));
            assertThat(t.toBytes()).isEqualTo(reference.toBytes());
        }
        t.onTimeout(TIMEOUT / 2);
        reference.onTimeout(TIMEOUT / 2);
        assertThat(t.toBytes()).isEqualTo(reference.toBytes());
    }

    private static String describe(CommandResult r) {
        return r instanceof CommandResult.Ok ok ? "Ok(" + ok.index() + ", " + new String(ok.result(),
                StandardCharsets.UTF_8) + ")" : String.valueOf(r);
    }

    /** A table with live sessions holding outcomes, and one expired session remembered. */
    private static ClientSessions populated() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        apply(t, cmd("old", 1, 1, 1_000), 1);
        apply(t, cmd("a", 1, 1, 5_000), 2);
        apply(t, cmd("a", 2, 1, 5_100), 3);
        apply(t, cmd("b", 1, 1, 5_200), 4);
        apply(t, cmd("b", 2, 1, 5_300), 5);
        SessionCommand rejected = cmd("b", 3, 1, 5_400);
        t.admit(rejected);
        t.recorded(rejected, 6, null, "no such key");
        apply(t, cmd("c", 1, 1, 12_000), 7); // "old" expires (tombstone) at the sweep this time passes
        apply(t, cmd("untouched", 1, 1, 12_100), 8);
        return t;
    }

    @Test
    void aRollbackRestoresTheTableExactlyAfterEveryKindOfChange() throws IOException {
        ClientSessions t = populated();
        ClientSessions before = copyOf(t);
        assertSameTable(t, before);

        t.checkpoint();
        apply(t, cmd("new", 1, 1, 12_200), 9); // a session opened
        apply(t, cmd("a", 3, 1, 12_300), 10); // an outcome added
        apply(t, cmd("b", 4, 3, 12_400), 11); // the mark moves: outcomes trimmed
        SessionCommand rejected = cmd("c", 2, 1, 12_500);
        t.admit(rejected);
        t.recorded(rejected, 12, null, "refused");
        t.onTimeout(TIMEOUT * 2); // a time-out change (and its sweep)
        // Time passes far: sweeps expire "a", "b", "c", "new" and forget "old".
        apply(t, cmd("d", 1, 1, 1_000 + ClientSessions.TOMBSTONE_TIMEOUTS * TIMEOUT + 1), 13);
        assertThat(t.toBytes()).isNotEqualTo(before.toBytes());
        t.rollback();

        assertThat(t.checkpointOpen()).isFalse();
        assertSameTable(t, before);
        assertSameFuture(t, before, 12_600);
    }

    @Test
    void aRollbackUndoesExpiryAndForgettingByTheTimeAnEntryCarries() throws IOException {
        ClientSessions t = populated();
        ClientSessions before = copyOf(t);
        t.checkpoint();
        // One entry whose leader time makes every session expire, and "old" be forgotten, at once.
        long far = 1_000 + ClientSessions.TOMBSTONE_TIMEOUTS * TIMEOUT + 1;
        assertThat(apply(t, again("a", 1, 1, far), 9)).isInstanceOf(CommandResult.Refused.class);
        assertThat(apply(t, cmd("old", 9, 9, far), 10)).as("forgotten: a new session").isNull();
        t.rollback();
        assertSameTable(t, before);
        assertThat(apply(t, again("a", 1, 1, 12_200), 9)).as("alive again, with its outcome")
                .isInstanceOf(CommandResult.Ok.class);
        assertThat(apply(t, cmd("old", 9, 9, 12_200), 10)).as("remembered as expired again")
                .isInstanceOfSatisfying(CommandResult.Refused.class, r -> assertThat(r.reason()).contains("expired"));
    }

    @Test
    void aRollbackRestoresASessionForgottenBetweenTwoSweeps() throws IOException {
        ClientSessions t = populated();
        long forgetsAt = 1_000 + ClientSessions.TOMBSTONE_TIMEOUTS * TIMEOUT; // "old" is remembered up to here
        long period = TIMEOUT / 8;
        long sweptAt = forgetsAt / period * period; // the last sweep before: "old" is still remembered there
        apply(t, cmd("x", 1, 1, sweptAt), 9);
        ClientSessions before = copyOf(t);
        t.checkpoint();
        // Past the memory, before the next sweep: asking forgets it, and the opening command opens it anew.
        assertThat(apply(t, cmd("old", 9, 9, forgetsAt + 1), 10)).isNull();
        t.rollback();
        assertSameTable(t, before);
        assertThat(apply(t, cmd("old", 9, 9, sweptAt), 10)).as("remembered as expired again")
                .isInstanceOfSatisfying(CommandResult.Refused.class, r -> assertThat(r.reason()).contains("expired"));
    }

    @Test
    void afterARollbackTheTableIsSweptAtTheSameEntriesAsWithoutTheStep() throws IOException {
        ClientSessions t = populated(); // "a" was last active at 5_100: it expires past 15_100
        long period = TIMEOUT / 8;
        apply(t, cmd("x", 1, 1, 15_000), 9); // a sweep (15_000 is a period's start); "a" is alive there
        ClientSessions before = copyOf(t);
        t.checkpoint();
        apply(t, cmd("x", 2, 1, 40_000), 10); // later periods, later sweeps
        t.rollback();
        assertSameTable(t, before);
        // Same period as the checkpoint, "a" expired meanwhile: no sweep here, on either table.
        long samePeriod = 15_000 + period - 1;
        apply(t, cmd("x", 2, 1, samePeriod), 10);
        apply(before, cmd("x", 2, 1, samePeriod), 10);
        assertThat(t.toBytes()).isEqualTo(before.toBytes());
    }

    @Test
    void aRollbackRestoresOutcomesDroppedAtTheBoundOfASession() throws IOException {
        ClientSessions t = new ClientSessions(TIMEOUT);
        int n = ClientSessions.MAX_RESULTS_PER_SESSION;
        for (int seq = 1; seq <= n; seq++) {
            apply(t, cmd("a", seq, 1, 10), seq);
        }
        ClientSessions before = copyOf(t);
        t.checkpoint();
        apply(t, cmd("a", n + 1, 1, 10), n + 1); // beyond the bound: the lowest outcome goes, the mark moves
        apply(t, cmd("a", n + 2, 1, 10), n + 2);
        assertThat(apply(t, cmd("a", 1, 1, 10), n + 3)).isInstanceOf(CommandResult.Refused.class);
        t.rollback();
        assertSameTable(t, before);
        assertThat(apply(t, cmd("a", 1, 1, 10), n + 1)).as("its outcome is back").isInstanceOf(CommandResult.Ok.class);
    }

    @Test
    void aCheckpointCopiesOnlyTheSessionsTheStepChanges() throws IOException {
        ClientSessions t = populated();
        int sessions = t.size();
        t.checkpoint();
        assertThat(t.savedSessions()).isZero();
        apply(t, cmd("a", 3, 1, 12_200), 9);
        apply(t, cmd("a", 4, 1, 12_300), 10);
        apply(t, again("b", 1, 1, 12_300), 11); // a duplicate: the session is touched (its time), saved once
        apply(t, cmd("new", 1, 1, 12_300), 12);
        assertThat(t.savedSessions()).as("a, b and the new one; not the others").isEqualTo(3);
        assertThat(sessions).isGreaterThan(3);
        t.release();
        assertThat(t.checkpointOpen()).isFalse();
        assertThat(t.savedSessions()).isZero();
    }

    @Test
    void aReleasedCheckpointKeepsTheChangesAndANewOneStartsFromThem() throws IOException {
        ClientSessions t = populated();
        ClientSessions reference = copyOf(t);
        t.checkpoint();
        apply(t, cmd("a", 3, 1, 12_200), 9);
        apply(reference, cmd("a", 3, 1, 12_200), 9);
        t.release();
        assertSameTable(t, reference);

        ClientSessions afterFirst = copyOf(t);
        t.checkpoint();
        apply(t, cmd("a", 4, 4, 12_300), 10);
        apply(t, cmd("e", 1, 1, 12_300), 11);
        t.rollback();
        assertSameTable(t, afterFirst);
        assertThat(apply(t, again("a", 3, 1, 12_400), 12)).as("the released change stays")
                .isInstanceOfSatisfying(CommandResult.Ok.class, ok -> assertThat(ok.index()).isEqualTo(9));
    }

    @Test
    void checkpointsDoNotNest() {
        ClientSessions t = new ClientSessions(TIMEOUT);
        assertThatThrownBy(t::rollback).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::release).isInstanceOf(IllegalStateException.class);
        t.checkpoint();
        assertThatThrownBy(t::checkpoint).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSnapshotWithoutEnvelopeIsAllState() throws IOException {
        SnapshotEnvelope.Opened opened = SnapshotEnvelope.read(new ByteArrayInputStream(new byte[] {1, 2}));
        assertThat(opened.sessions()).isNull();
        assertThat(opened.state().readAllBytes()).containsExactly(1, 2);
    }
}
