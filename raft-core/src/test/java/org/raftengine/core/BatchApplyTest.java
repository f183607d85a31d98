package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.transport.LocalNetwork;

/**
 * A state machine that {@link StateMachine#appliesInBatches() applies in batches}: each batch one atomic step
 * (begin, the entries, commit), and after a failure in it the same entries one per step. One node on a
 * {@link ManualRuntime}, so the test decides which committed entries make up a batch: it holds the apply
 * executor while a warm-up command's batch is in flight, submits the batch's commands, lets them commit, then
 * lets applies run; the next batch is exactly those commands.
 *
 * <p>Throughout, after every task: the node never counts an entry applied before the state machine committed
 * it, and a client is never answered for an entry before its commit.
 */
class BatchApplyTest {

    /**
     * A state machine whose state is a list of strings, in a "database": the committed state, and a step's
     * working copy between begin and commit. Commands starting with 'X' change the state, then are rejected (so
     * their effects must be undone). Failures on demand: transient at an index, a bug at an index, commits that
     * fail. Every call is logged ({@link #calls}).
     */
    static final class StepLedger implements StateMachine {
        private List<String> values = new ArrayList<>();
        private long applied;
        private TreeMap<Long, AppliedOutcome> outcomes = new TreeMap<>();
        /** The open step's working copies; null when no step is open. */
        private List<String> stepValues;
        private long stepApplied;
        private TreeMap<Long, AppliedOutcome> stepOutcomes;
        final List<String> calls = new ArrayList<>();
        final Map<Long, Integer> transientFailuresAt = new HashMap<>();
        final Map<Long, Boolean> bugAt = new HashMap<>();
        /** Commits of steps that reach {@link #failCommitsFrom} fail, this many times. */
        int commitFailuresLeft;
        long failCommitsFrom;
        /** Aborts that fail (the database rolls the transaction back all the same: the connection is gone). */
        int abortFailuresLeft;
        int begins;
        int commits;
        int aborts;
        /** Steps ended: committed, failed to commit, or aborted while open. */
        int ended;

        @Override
        public boolean appliesInBatches() {
            return true;
        }

        @Override
        public boolean keepsOutcomes() {
            return true;
        }

        @Override
        public void beginBatch() {
            if (stepValues != null) {
                throw new AssertionError("beginBatch inside a step");
            }
            begins++;
            calls.add("begin");
            stepValues = new ArrayList<>(values);
            stepApplied = applied;
            stepOutcomes = new TreeMap<>(outcomes);
        }

        @Override
        public void commitBatch() {
            open("commitBatch");
            if (commitFailuresLeft > 0 && stepApplied >= failCommitsFrom) {
                commitFailuresLeft--;
                calls.add("commit fails");
                ended++;
                stepValues = null; // the database rolled the transaction back
                throw new TransientApplyException("commit failed: database unreachable");
            }
            commits++;
            ended++;
            calls.add("commit");
            values = stepValues;
            applied = stepApplied;
            outcomes = stepOutcomes;
            stepValues = null;
        }

        @Override
        public void abortBatch() {
            aborts++;
            if (stepValues != null) {
                ended++;
            }
            stepValues = null;
            if (abortFailuresLeft > 0) {
                abortFailuresLeft--;
                calls.add("abort fails");
                throw new TransientApplyException("rollback failed: connection lost");
            }
            calls.add("abort");
        }

        @Override
        public long lastApplied() {
            return stepValues != null ? stepApplied : applied;
        }

        @Override
        public byte[] apply(long index, byte[] command) {
            next("apply", index);
            calls.add("apply " + index);
            Integer transientLeft = transientFailuresAt.get(index);
            if (transientLeft != null && transientLeft > 0) {
                transientFailuresAt.put(index, transientLeft - 1);
                throw new TransientApplyException("deadlock at " + index);
            }
            if (bugAt.containsKey(index)) {
                throw new IllegalStateException("bug at " + index);
            }
            String c = new String(command, StandardCharsets.UTF_8);
            stepValues.add(c); // a rejected command changed the state before it was refused
            if (c.startsWith("X")) {
                throw new RejectedCommandException("refused " + c);
            }
            stepApplied = index;
            byte[] output = (stepValues.size() + ":" + c).getBytes(StandardCharsets.UTF_8);
            stepOutcomes.put(index, AppliedOutcome.ok(output));
            return output;
        }

        @Override
        public void recordApplied(long index) {
            next("recordApplied", index);
            calls.add("record " + index);
            stepApplied = index;
        }

        @Override
        public void recordRejected(long index, String reason) {
            next("recordRejected", index);
            calls.add("reject " + index);
            stepApplied = index;
            stepOutcomes.put(index, AppliedOutcome.rejected(reason));
        }

        @Override
        public AppliedOutcome outcomeAt(long index) {
            return outcomes.get(index);
        }

        private void open(String call) {
            if (stepValues == null) {
                throw new AssertionError(call + " outside a step");
            }
        }

        private void next(String call, long index) {
            open(call);
            if (index != stepApplied + 1) {
                throw new AssertionError(call + "(" + index + ") after " + stepApplied);
            }
        }

        /** The applied index as committed (durable). */
        long durableApplied() {
            return applied;
        }

        List<String> values() {
            return List.copyOf(values);
        }

        Map<Long, AppliedOutcome> outcomes() {
            return Map.copyOf(outcomes);
        }
    }

    private ManualRuntime runtime;
    private StepLedger ledger;
    private InMemoryRaftLog log;
    private RaftNode node;
    private final List<String> violations = new ArrayList<>();
    private int warmUps;

    @BeforeEach
    void startSoloNode() {
        runtime = new ManualRuntime();
        ledger = new StepLedger();
        log = new InMemoryRaftLog();
        RaftNodeConfig config = RaftNodeConfig.of("solo", "batches").withBootstrap(
                ClusterConfiguration.of(ClusterSettings.DEFAULTS, "solo"));
        node = new RaftNode(config, log, new LocalNetwork().transport("solo"), ledger, runtime);
        runtime.afterEachTask(() -> {
            long applied = node.status().appliedIndex();
            if (applied > ledger.durableApplied()) {
                violations.add("the node counts index " + applied + " applied, committed up to "
                        + ledger.durableApplied());
            }
        });
        node.start();
        runtime.runUntil(() -> node.status().role() == Role.LEADER, 10_000);
        runtime.runUntil(() -> node.status().appliedIndex() == node.status().lastIndex(), 1_000);
        assertThat(ledger.aborts).isZero();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The answer, checked when it comes: an entry answered applied must be committed by the state machine. */
    private CompletableFuture<CommandResult> watched(CompletionStage<CommandResult> answer) {
        return answer.toCompletableFuture().whenComplete((r, e) -> {
            long index = r instanceof CommandResult.Ok ok ? ok.index()
                    : r instanceof CommandResult.ApplicationError a ? a.index() : 0;
            if (index > ledger.durableApplied()) {
                violations.add("answered " + r + " with the state machine committed up to " + ledger.durableApplied());
            }
        });
    }

    private CompletableFuture<CommandResult> submit(String command) {
        return watched(node.submit(bytes(command)));
    }

    /** What the batch's first entry's index is, after {@link #oneBatch}. */
    private long first;
    /** The calls the state machine saw for the batch (after the warm-up's step). */
    private List<String> batchCalls;

    /**
     * Makes the {@code submits} one batch (see the class comment) and runs until each is answered, or, if
     * {@code untilAnswered} is off, for {@code 2} s of virtual time.
     */
    private List<CompletableFuture<CommandResult>> oneBatch(boolean untilAnswered,
                                                            List<Supplier<CompletableFuture<CommandResult>>> submits) {
        runtime.holdApply(true);
        CompletableFuture<CommandResult> warmUp = submit("warm-up " + (++warmUps));
        runtime.runUntil(() -> runtime.applyTasksWaiting() > 0, 1_000);
        long warmUpIndex = node.status().lastIndex();
        first = warmUpIndex + 1;
        List<CompletableFuture<CommandResult>> answers = new ArrayList<>();
        for (Supplier<CompletableFuture<CommandResult>> s : submits) {
            answers.add(s.get());
        }
        runtime.runUntil(() -> node.status().commitIndex() == warmUpIndex + submits.size(), 1_000);
        int mark = ledger.calls.size();
        runtime.holdApply(false);
        if (untilAnswered) {
            runtime.runUntil(() -> answers.stream().allMatch(CompletableFuture::isDone), 10_000);
        } else {
            runtime.runFor(2_000);
        }
        assertThat(warmUp.join()).isInstanceOf(CommandResult.Ok.class);
        List<String> calls = ledger.calls.subList(mark, ledger.calls.size());
        assertThat(calls.subList(0, 3)).as("the warm-up's step").containsExactly("begin", "apply " + warmUpIndex,
                "commit");
        batchCalls = List.copyOf(calls.subList(3, calls.size()));
        return answers;
    }

    @SafeVarargs
    private List<CompletableFuture<CommandResult>> oneBatch(Supplier<CompletableFuture<CommandResult>>... submits) {
        return oneBatch(true, List.of(submits));
    }

    private List<CompletableFuture<CommandResult>> oneBatchOf(String... commands) {
        List<Supplier<CompletableFuture<CommandResult>>> submits = new ArrayList<>();
        for (String c : commands) {
            submits.add(() -> submit(c));
        }
        return oneBatch(true, submits);
    }

    private List<String> applies(long from, long to) {
        List<String> calls = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            calls.add("apply " + i);
        }
        return calls;
    }

    private static List<String> concat(List<?>... parts) {
        List<String> all = new ArrayList<>();
        for (List<?> p : parts) {
            for (Object o : p) {
                all.add(String.valueOf(o));
            }
        }
        return all;
    }

    private static List<String> step(Object... calls) {
        List<String> s = new ArrayList<>();
        s.add("begin");
        for (Object c : calls) {
            if (c instanceof List<?> l) {
                l.forEach(x -> s.add(String.valueOf(x)));
            } else {
                s.add(String.valueOf(c));
            }
        }
        s.add("commit");
        return s;
    }

    /** The answer must be Ok with the state machine's output for {@code command} as the {@code n}-th value. */
    private static void assertOk(CompletableFuture<CommandResult> answer, long index, int n, String command) {
        assertThat(answer).isDone();
        assertThat(answer.join()).isInstanceOfSatisfying(CommandResult.Ok.class, ok -> {
            assertThat(ok.index()).isEqualTo(index);
            assertThat(text(ok.result())).isEqualTo(n + ":" + command);
        });
    }

    private void assertNoViolations() {
        assertThat(violations).isEmpty();
        assertThat(ledger.begins).as("every step ended").isEqualTo(ledger.ended);
        assertThat(ledger.stepValues).as("no step left open").isNull();
    }

    @Test
    void aBatchIsOneStepAndItsClientsAreAnsweredOnceItIsCommitted() {
        int before = ledger.values().size() + 1; // the warm-up
        int commitsBefore = ledger.commits;
        List<CompletableFuture<CommandResult>> answers = oneBatchOf("a", "b", "c", "d", "e");

        assertThat(batchCalls).as("one begin, the entries, one commit").isEqualTo(step(applies(first, first + 4)));
        assertThat(ledger.commits - commitsBefore).as("the warm-up's step and the batch's").isEqualTo(2);
        assertThat(ledger.aborts).isZero();
        String[] commands = {"a", "b", "c", "d", "e"};
        for (int k = 0; k < 5; k++) {
            assertOk(answers.get(k), first + k, before + k + 1, commands[k]);
        }
        assertThat(node.status().appliedIndex()).isEqualTo(first + 4);
        assertThat(ledger.durableApplied()).isEqualTo(first + 4);
        assertThat(node.applyFailures()).isZero();
        assertNoViolations();
    }

    @Test
    void aRejectedEntryAbortsTheStepAndTheBatchIsAppliedOneEntryPerStep() {
        int before = ledger.values().size() + 1;
        List<CompletableFuture<CommandResult>> answers = oneBatchOf("a", "b", "Xc", "d", "e");
        long x = first + 2;

        assertThat(batchCalls).isEqualTo(concat(
                List.of("begin"), applies(first, x), List.of("abort"),
                step("apply " + first),
                step("apply " + (first + 1)),
                List.of("begin", "apply " + x, "abort"), step("reject " + x),
                step("apply " + (first + 3)),
                step("apply " + (first + 4))));
        assertOk(answers.get(0), first, before + 1, "a");
        assertOk(answers.get(1), first + 1, before + 2, "b");
        assertThat(answers.get(2).join()).isEqualTo(new CommandResult.ApplicationError(x, "refused Xc"));
        assertOk(answers.get(3), first + 3, before + 3, "d");
        assertOk(answers.get(4), first + 4, before + 4, "e");
        List<String> values = ledger.values();
        assertThat(values.subList(values.size() - 4, values.size())).as("the rejected one's effect is gone")
                .containsExactly("a", "b", "d", "e");
        assertThat(ledger.outcomes().get(x)).isEqualTo(AppliedOutcome.rejected("refused Xc"));
        assertThat(node.status().appliedIndex()).isEqualTo(first + 4);
        assertThat(node.applyFailures()).as("a rejection is an outcome, not a failure").isZero();
        assertNoViolations();
    }

    @Test
    void aRejectedEntryAloneInItsBatchIsRecordedInAStepOfItsOwn() {
        List<CompletableFuture<CommandResult>> answers = oneBatchOf("Xalone");
        assertThat(batchCalls).isEqualTo(concat(List.of("begin", "apply " + first, "abort"), step("reject " + first)));
        assertThat(answers.get(0).join()).isEqualTo(new CommandResult.ApplicationError(first, "refused Xalone"));
        assertThat(ledger.values()).doesNotContain("Xalone");
        assertThat(ledger.durableApplied()).isEqualTo(first);
        assertNoViolations();
    }

    @Test
    void aTransientFailureCommitsTheEntriesBeforeItThenRetriesFromIt() {
        int before = ledger.values().size() + 1;
        ledger.transientFailuresAt.put(lastIndexNow() + 2 + 2, 2); // the third of the batch: in both attempts
        List<CompletableFuture<CommandResult>> answers = oneBatchOf("a", "b", "c", "d", "e");
        long failing = first + 2;

        assertThat(batchCalls).isEqualTo(concat(
                List.of("begin"), applies(first, failing), List.of("abort"),
                step("apply " + first),
                step("apply " + (first + 1)),
                List.of("begin", "apply " + failing, "abort"),
                // after the back-off, the rest as a batch of its own
                step(applies(failing, first + 4))));
        String[] commands = {"a", "b", "c", "d", "e"};
        for (int k = 0; k < 5; k++) {
            assertOk(answers.get(k), first + k, before + k + 1, commands[k]);
        }
        assertThat(node.applyFailures()).isEqualTo(1);
        assertNoViolations();
    }

    @Test
    void theEntriesBeforeAFailureAreAnsweredWithoutWaitingForTheRetry() {
        ledger.transientFailuresAt.put(lastIndexNow() + 2 + 1, 1_000); // the second of the batch, for long
        List<CompletableFuture<CommandResult>> answers = oneBatch(false, List.of(() -> submit("a"), () -> submit("b"),
                () -> submit("c")));
        assertThat(answers.get(0)).as("committed in its own step, answered").isCompleted();
        assertOk(answers.get(0), first, ledger.values().size(), "a");
        assertThat(answers.get(1)).as("retried, never skipped").isNotDone();
        assertThat(answers.get(2)).isNotDone();
        assertThat(ledger.durableApplied()).isEqualTo(first);
        assertThat(node.status().appliedIndex()).isEqualTo(first);
        assertThat(node.applyFailures()).isGreaterThan(1);

        ledger.transientFailuresAt.clear();
        runtime.runUntil(() -> answers.get(2).isDone(), 10_000);
        assertThat(answers.get(1).join()).isInstanceOf(CommandResult.Ok.class);
        assertThat(answers.get(2).join()).isInstanceOf(CommandResult.Ok.class);
        assertNoViolations();
    }

    @Test
    void aFailedCommitOfTheBatchAppliesItAgainOneEntryPerStep() {
        int before = ledger.values().size() + 1;
        ledger.failCommitsFrom = lastIndexNow() + 2; // the batch's first entry
        ledger.commitFailuresLeft = 1;
        List<CompletableFuture<CommandResult>> answers = oneBatchOf("d", "e", "f");
        assertThat(batchCalls).isEqualTo(concat(
                List.of("begin"), applies(first, first + 2), List.of("commit fails", "abort"),
                step("apply " + first), step("apply " + (first + 1)), step("apply " + (first + 2))));
        assertOk(answers.get(0), first, before + 1, "d");
        assertOk(answers.get(1), first + 1, before + 2, "e");
        assertOk(answers.get(2), first + 2, before + 3, "f");
        assertThat(node.applyFailures()).as("recovered by the re-run").isZero();
        assertNoViolations();
    }

    @Test
    void aFailedCommitOfASingleEntryStepIsAFailureRetriedFromThatEntry() {
        int before = ledger.values().size() + 1;
        ledger.failCommitsFrom = lastIndexNow() + 2;
        ledger.commitFailuresLeft = 2; // the batch's commit, then the first entry's own
        List<CompletableFuture<CommandResult>> answers = oneBatchOf("a", "b");
        assertThat(batchCalls).isEqualTo(concat(
                List.of("begin"), applies(first, first + 1), List.of("commit fails", "abort"),
                List.of("begin", "apply " + first, "commit fails", "abort"),
                step(applies(first, first + 1))));
        assertOk(answers.get(0), first, before + 1, "a");
        assertOk(answers.get(1), first + 1, before + 2, "b");
        assertThat(node.applyFailures()).isEqualTo(1);
        assertNoViolations();
    }

    @Test
    void aStepTheStateMachineCouldNotUndoIsAFailureAndNothingIsAppliedOnTopOfIt() {
        int before = ledger.values().size() + 1;
        ledger.abortFailuresLeft = 1;
        List<CompletableFuture<CommandResult>> answers = oneBatchOf("a", "Xb");
        assertThat(batchCalls).isEqualTo(concat(
                List.of("begin"), applies(first, first + 1), List.of("abort fails"),
                // after the back-off
                List.of("begin"), applies(first, first + 1), List.of("abort"),
                step("apply " + first),
                List.of("begin", "apply " + (first + 1), "abort"), step("reject " + (first + 1))));
        assertOk(answers.get(0), first, before + 1, "a");
        assertThat(answers.get(1).join()).isEqualTo(new CommandResult.ApplicationError(first + 1, "refused Xb"));
        assertThat(node.applyFailures()).isEqualTo(1);
        assertNoViolations();
    }

    @Test
    void aRepeatedBugStopsTheNodeWithOnlyTheCommittedEntriesAnsweredApplied() {
        long bug = lastIndexNow() + 2 + 2;
        ledger.bugAt.put(bug, true);
        List<CompletableFuture<CommandResult>> answers = oneBatch(false, List.of(() -> submit("a"),
                () -> submit("b"), () -> submit("c"), () -> submit("d")));
        runtime.runFor(30_000);

        assertThat(log.isBroken()).isTrue();
        assertThat(node.status().role()).isEqualTo(Role.STOPPED);
        assertThat(answers.get(0).join()).isInstanceOf(CommandResult.Ok.class);
        assertThat(answers.get(1).join()).isInstanceOf(CommandResult.Ok.class);
        for (CompletableFuture<CommandResult> a : answers.subList(2, 4)) {
            assertThat(!a.isDone() || !(a.join() instanceof CommandResult.Ok)).as("never answered applied").isTrue();
        }
        assertThat(ledger.durableApplied()).isEqualTo(bug - 1);
        assertThat(ledger.values()).doesNotContain("c", "d");
        assertThat(node.applyFailures()).isEqualTo(3);
        // Each failed attempt tries the entry in the whole batch, then in its own step. (The engine hands the
        // batch once more as it stops, after the log was marked broken: at least, then.)
        assertThat(ledger.calls.stream().filter(c -> c.equals("apply " + bug)).count()).isGreaterThanOrEqualTo(6);
        assertThat(ledger.calls.stream().filter(c -> c.equals("apply " + (bug + 1))).count())
                .as("nothing past the failing entry").isZero();
        assertNoViolations();
    }

    @Test
    void sessionsAnswerDuplicatesRightAfterARollback() {
        ClientSession s = node.openSession();
        int before = ledger.values().size() + 1;
        List<CompletableFuture<CommandResult>> answers = oneBatch(
                () -> watched(s.submit(1, bytes("pay"))),
                () -> submit("Xbad"), // fails the whole step: the session table is rolled back with it
                () -> watched(s.resubmit(1, bytes("pay"))),
                () -> watched(s.submit(2, bytes("Xno"))),
                () -> watched(s.resubmit(2, bytes("Xno"))));
        assertThat(node.status().lastIndex()).as("five entries, duplicates included").isEqualTo(first + 4);

        assertOk(answers.get(0), first, before + 1, "pay");
        assertThat(answers.get(1).join()).isEqualTo(new CommandResult.ApplicationError(first + 1, "refused Xbad"));
        assertOk(answers.get(2), first, before + 1, "pay"); // the original outcome
        assertThat(answers.get(3).join()).isEqualTo(new CommandResult.ApplicationError(first + 3, "refused Xno"));
        assertThat(answers.get(4).join()).isEqualTo(new CommandResult.ApplicationError(first + 3, "refused Xno"));
        assertThat(ledger.values().stream().filter("pay"::equals).count()).as("applied once").isEqualTo(1);
        assertThat(batchCalls).as("the duplicates are recorded, not applied").contains("record " + (first + 2),
                "record " + (first + 4));
        assertNoViolations();
    }

    @Test
    void aSessionCommandWhoseStepFailedIsAppliedOnItsRetryNotTakenForADuplicate() {
        ClientSession s = node.openSession();
        int before = ledger.values().size() + 1;
        ledger.failCommitsFrom = lastIndexNow() + 2;
        ledger.commitFailuresLeft = 1;
        List<CompletableFuture<CommandResult>> answers = oneBatch(() -> watched(s.submit(1, bytes("pay"))));
        assertThat(batchCalls).isEqualTo(concat(List.of("begin", "apply " + first, "commit fails", "abort"),
                step("apply " + first)));
        assertOk(answers.get(0), first, before + 1, "pay");
        assertThat(ledger.values()).contains("pay");
        assertThat(node.applyFailures()).isEqualTo(1);
        assertNoViolations();
    }

    @Test
    void aSessionCommandRejectedInItsOwnStepAnswersItsDuplicateWithTheRejection() {
        ClientSession s = node.openSession();
        List<CompletableFuture<CommandResult>> answers = oneBatch(
                () -> watched(s.submit(1, bytes("Xno"))),
                () -> watched(s.resubmit(1, bytes("Xno"))));
        assertThat(answers.get(0).join()).isEqualTo(new CommandResult.ApplicationError(first, "refused Xno"));
        assertThat(answers.get(1).join()).isEqualTo(new CommandResult.ApplicationError(first, "refused Xno"));
        assertThat(batchCalls).isEqualTo(concat(
                List.of("begin", "apply " + first, "abort"),
                List.of("begin", "apply " + first, "abort"), step("reject " + first),
                step("record " + (first + 1))));
        assertNoViolations();
    }

    private long lastIndexNow() {
        return node.status().lastIndex();
    }
}
