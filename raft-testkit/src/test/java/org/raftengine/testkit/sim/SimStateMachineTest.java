package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.raftengine.core.RejectedCommandException;
import org.raftengine.core.TransientApplyException;
import org.raftengine.core.spi.AppliedOutcome;

class SimStateMachineTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void appliesInOrderAndRecordsEveryIndex() {
        SimStateMachine sm = new SimStateMachine("n1");
        sm.recordApplied(1);
        assertThat(sm.apply(2, b("a"))).isEqualTo(b("1:a"));
        assertThat(sm.apply(3, b("b"))).isEqualTo(b("2:b"));
        assertThat(sm.lastApplied()).isEqualTo(3);
        assertThat(sm.commandsApplied()).isEqualTo(2);
        assertThat(sm.appliedEntries()).containsExactly(new AppliedEntry(1, null, false),
                new AppliedEntry(2, b("a"), false), new AppliedEntry(3, b("b"), false));
        assertThat(sm.commandAt(3)).isEqualTo(b("b"));
        assertThat(sm.commandAt(1)).isNull();
    }

    @Test
    void twoReplicasGiveTheSameResults() {
        SimStateMachine a = new SimStateMachine("n1");
        SimStateMachine c = new SimStateMachine("n2");
        for (int i = 1; i <= 5; i++) {
            assertThat(a.apply(i, b("cmd" + i))).isEqualTo(c.apply(i, b("cmd" + i)));
        }
    }

    @Test
    void refusesOutOfOrderCalls() {
        SimStateMachine sm = new SimStateMachine("n1");
        assertThatThrownBy(() -> sm.apply(2, b("a"))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("engine bug").hasMessageContaining("apply(2)");
        sm.apply(1, b("a"));
        assertThatThrownBy(() -> sm.apply(1, b("a"))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> sm.recordApplied(3)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("recordApplied(3)");
        assertThat(sm.lastApplied()).isEqualTo(1);
    }

    @Test
    void rejectsMarkedCommandsAndRecordsThemAsRejected() {
        SimStateMachine sm = new SimStateMachine("n1");
        assertThatThrownBy(() -> sm.apply(1, b("Xbad"))).isInstanceOf(RejectedCommandException.class)
                .hasMessage("rejected 'Xbad'");
        assertThat(sm.lastApplied()).isZero();
        // The engine records a rejected command with recordRejected and the reason the state machine gave.
        assertThatThrownBy(() -> sm.recordApplied(1)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("recordRejected expected");
        assertThatThrownBy(() -> sm.recordRejected(1, "another reason")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("engine bug");
        sm.recordRejected(1, "rejected 'Xbad'");
        assertThat(sm.apply(2, b("good"))).isEqualTo(b("1:good"));
        assertThat(sm.appliedEntries().get(0)).isEqualTo(new AppliedEntry(1, b("Xbad"), true));
        assertThat(sm.keepsOutcomes()).isFalse();
        assertThat(sm.outcomeAt(2)).isNull();
    }

    @Test
    void keepsTheOutcomeOfEveryCommandIfToldToUntilARestore() throws IOException {
        SimStateMachine sm = new SimStateMachine("n1", true);
        assertThat(sm.keepsOutcomes()).isTrue();
        sm.recordApplied(1);
        sm.apply(2, b("a"));
        assertThatThrownBy(() -> sm.apply(3, b("Xno"))).isInstanceOf(RejectedCommandException.class);
        sm.recordRejected(3, "rejected 'Xno'");
        assertThat(sm.outcomeAt(1)).isNull();
        assertThat(sm.outcomeAt(2)).isEqualTo(AppliedOutcome.ok(b("1:a")));
        assertThat(sm.outcomeAt(3)).isEqualTo(AppliedOutcome.rejected("rejected 'Xno'"));
        assertThatThrownBy(() -> sm.outcomeAt(4)).isInstanceOf(AssertionError.class).hasMessageContaining("engine bug");
        assertThat(sm.outcomesAsked()).containsExactly(1L, 2L, 3L);

        // A restore replaces the state: the snapshot's session table holds the outcomes it covers.
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        sm.snapshot().writeTo(snapshot);
        SimStateMachine other = new SimStateMachine("n2", true);
        other.apply(1, b("z"));
        other.restore(3, new ByteArrayInputStream(snapshot.toByteArray()));
        assertThat(other.outcomeAt(1)).isNull();
    }

    @Test
    void injectedFailuresChangeNothingAndThenStop() {
        SimStateMachine sm = new SimStateMachine("n1");
        sm.failNextAppliesTransiently(2);
        assertThatThrownBy(() -> sm.apply(1, b("a"))).isInstanceOf(TransientApplyException.class);
        assertThatThrownBy(() -> sm.apply(1, b("a"))).isInstanceOf(TransientApplyException.class);
        assertThat(sm.lastApplied()).isZero();
        assertThat(sm.apply(1, b("a"))).isEqualTo(b("1:a"));
        sm.failNextAppliesWithBug(1);
        assertThatThrownBy(() -> sm.apply(2, b("b"))).isInstanceOf(IllegalStateException.class);
        assertThat(sm.failuresLeft()).isZero();
        assertThat(sm.apply(2, b("b"))).isEqualTo(b("2:b"));
    }

    @Test
    void aReadAnswersTheCommandsAppliedAndChangesNothing() {
        SimStateMachine sm = new SimStateMachine("n1");
        assertThat(SimStateMachine.parseReadResult(sm.apply(1, "?r0".getBytes(StandardCharsets.UTF_8)))).isEmpty();
        sm.apply(2, "a".getBytes(StandardCharsets.UTF_8));
        sm.recordApplied(3);
        byte[] answer = sm.apply(4, "?r1".getBytes(StandardCharsets.UTF_8));
        assertThat(SimStateMachine.parseReadResult(answer)).containsExactly("a");
        assertThat(new String(sm.apply(5, "b".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("2:b"); // reads do not count as commands
        assertThat(sm.commandsApplied()).isEqualTo(2);
        assertThat(sm.lastApplied()).isEqualTo(5);
        assertThat(SimStateMachine.parseReadResult("2:b".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    // ---- batches: one atomic step per batch, like a transaction

    @Test
    void aStepIsSeenByItsOwnCallsAndBecomesTheStateOnlyAtItsCommit() {
        SimStateMachine sm = new SimStateMachine("n1", true, true);
        assertThat(sm.appliesInBatches()).isTrue();
        sm.beginBatch();
        sm.recordApplied(1);
        assertThat(sm.apply(2, b("a"))).isEqualTo(b("1:a"));
        assertThat(SimStateMachine.parseReadResult(sm.apply(3, b("?r")))).as("a read in the step sees the step")
                .containsExactly("a");
        assertThat(sm.apply(4, b("b"))).isEqualTo(b("2:b"));
        assertThat(sm.lastApplied()).as("as the step sees it").isEqualTo(4);
        assertThat(sm.appliedCount()).as("nothing committed yet").isZero();
        assertThat(sm.values()).isEmpty();
        assertThat(sm.commandsApplied()).isZero();
        sm.commitBatch();
        assertThat(sm.stepOpen()).isFalse();
        assertThat(sm.lastApplied()).isEqualTo(4);
        assertThat(sm.values()).containsExactly("a", "b");
        assertThat(sm.appliedCount()).isEqualTo(4);
        assertThat(sm.outcomeAt(4)).isEqualTo(AppliedOutcome.ok(b("2:b")));
        assertThat(sm.stepsCommitted()).isEqualTo(1);
        assertThat(sm.largestStep()).isEqualTo(4);
    }

    @Test
    void anAbortedStepLeavesNothingARejectedCommandsEffectIncluded() {
        SimStateMachine sm = new SimStateMachine("n1", true, true);
        sm.beginBatch();
        sm.apply(1, b("a"));
        sm.commitBatch();
        sm.beginBatch();
        sm.apply(2, b("b"));
        assertThatThrownBy(() -> sm.apply(3, b("Xno"))).isInstanceOf(RejectedCommandException.class);
        sm.abortBatch();
        assertThat(sm.lastApplied()).isEqualTo(1);
        assertThat(sm.values()).containsExactly("a");
        assertThat(sm.outcomeAt(1)).isEqualTo(AppliedOutcome.ok(b("1:a")));
        // Applied again one per step: the rejection in a step of its own.
        sm.beginBatch();
        sm.apply(2, b("b"));
        sm.commitBatch();
        sm.beginBatch();
        assertThatThrownBy(() -> sm.apply(3, b("Xno"))).isInstanceOf(RejectedCommandException.class);
        sm.abortBatch();
        sm.beginBatch();
        sm.recordRejected(3, "rejected 'Xno'");
        sm.commitBatch();
        assertThat(sm.values()).containsExactly("a", "b");
        assertThat(sm.appliedEntries()).containsExactly(new AppliedEntry(1, b("a"), false),
                new AppliedEntry(2, b("b"), false), new AppliedEntry(3, b("Xno"), true));
        assertThat(sm.outcomeAt(3)).isEqualTo(AppliedOutcome.rejected("rejected 'Xno'"));
        assertThat(sm.stepsDiscarded()).isEqualTo(2);
    }

    @Test
    void aStepThatKeepsARejectedCommandsEffectShows() {
        SimStateMachine sm = new SimStateMachine("n1", false, true);
        sm.beginBatch();
        assertThatThrownBy(() -> sm.apply(1, b("Xno"))).isInstanceOf(RejectedCommandException.class);
        sm.recordRejected(1, "rejected 'Xno'"); // an engine bug: recorded in the step it should have aborted
        sm.commitBatch();
        assertThat(sm.values()).as("the refused command's change was kept").containsExactly("Xno");
        sm.beginBatch();
        assertThat(sm.apply(2, b("b"))).as("numbered after it").isEqualTo(b("2:b"));
    }

    @Test
    void aFailedCommitOrACrashLosesTheStep() {
        SimStateMachine sm = new SimStateMachine("n1", true, true);
        sm.failNextCommits(1);
        sm.beginBatch();
        sm.apply(1, b("a"));
        assertThatThrownBy(sm::commitBatch).isInstanceOf(TransientApplyException.class);
        assertThat(sm.stepOpen()).isFalse();
        sm.abortBatch(); // after a failed commit: nothing left to undo
        assertThat(sm.lastApplied()).isZero();
        assertThat(sm.values()).isEmpty();
        assertThat(sm.commitFailuresLeft()).isZero();

        sm.beginBatch();
        sm.apply(1, b("a"));
        sm.crash();
        assertThat(sm.stepOpen()).isFalse();
        assertThat(sm.lastApplied()).isZero();
        assertThat(sm.outcomeAt(0)).isNull();
        sm.beginBatch();
        sm.apply(1, b("a"));
        sm.commitBatch();
        assertThat(sm.values()).containsExactly("a");
    }

    @Test
    void callsOutsideAStepOrAStepInsideAnotherAreEngineBugs() {
        SimStateMachine sm = new SimStateMachine("n1", false, true);
        assertThatThrownBy(() -> sm.apply(1, b("a"))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("outside a step");
        assertThatThrownBy(() -> sm.recordApplied(1)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(sm::commitBatch).isInstanceOf(AssertionError.class);
        sm.beginBatch();
        assertThatThrownBy(sm::beginBatch).isInstanceOf(AssertionError.class).hasMessageContaining("inside an open");
        assertThatThrownBy(sm::snapshot).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> sm.outcomeAt(0)).isInstanceOf(AssertionError.class);
        SimStateMachine plain = new SimStateMachine("n2");
        assertThat(plain.appliesInBatches()).isFalse();
        assertThatThrownBy(plain::beginBatch).isInstanceOf(AssertionError.class);
    }
}
