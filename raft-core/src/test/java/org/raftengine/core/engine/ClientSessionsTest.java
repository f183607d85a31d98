package org.raftengine.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

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
        t.replay(cmd("a", 1, 1, 10), 4);
        t.replay(cmd("a", 1, 1, 20), 6); // a duplicate in the log: bookkeeping only, no second record
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
        t.replay(cmd("c", 4, 1, 2_500), 3);
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

    @Test
    void aSnapshotWithoutEnvelopeIsAllState() throws IOException {
        SnapshotEnvelope.Opened opened = SnapshotEnvelope.read(new ByteArrayInputStream(new byte[] {1, 2}));
        assertThat(opened.sessions()).isNull();
        assertThat(opened.state().readAllBytes()).containsExactly(1, 2);
    }
}
