package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.runtime.ThreadedRuntime;
import org.raftengine.core.spi.AppliedOutcome;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.transport.LocalNetwork;

/**
 * A state machine that keeps its own state (a database) resumes after a restart past the latest snapshot,
 * and the node rebuilds its session table from the log, which holds no outcomes. One that keeps the outcome
 * of each command with its apply ({@link StateMachine#keepsOutcomes()}) is asked for them at start, so a
 * duplicate re-sent after the restart gets its original answer; one that does not gets it refused, applied
 * exactly once. On the production runtime, one node: the restart goes through the whole start.
 */
class KeptOutcomesTest {
    private static final long WAIT_SECONDS = 30;

    /**
     * A durable state machine: the object outlives the node, as a database would. Commands starting with
     * 'X' are rejected. It keeps outcomes if told to, and records which indexes it was asked about.
     */
    static final class Ledger implements StateMachine {
        private final boolean keepsOutcomes;
        private long applied;
        private final List<String> values = new ArrayList<>();
        private final Map<Long, AppliedOutcome> outcomes = new TreeMap<>();
        private final List<Long> asked = new ArrayList<>();
        private final List<String> rejectedReasons = new ArrayList<>();
        private RuntimeException outcomeFailure;

        Ledger(boolean keepsOutcomes) {
            this.keepsOutcomes = keepsOutcomes;
        }

        @Override
        public synchronized long lastApplied() {
            return applied;
        }

        @Override
        public synchronized byte[] apply(long index, byte[] command) {
            String c = new String(command, StandardCharsets.UTF_8);
            if (c.startsWith("X")) {
                throw new RejectedCommandException("refused " + c);
            }
            values.add(c);
            byte[] output = (values.size() + ":" + c).getBytes(StandardCharsets.UTF_8);
            if (keepsOutcomes) {
                outcomes.put(index, AppliedOutcome.ok(output));
            }
            applied = index;
            return output;
        }

        @Override
        public synchronized void recordApplied(long index) {
            applied = index;
        }

        @Override
        public boolean keepsOutcomes() {
            return keepsOutcomes;
        }

        @Override
        public synchronized void recordRejected(long index, String reason) {
            rejectedReasons.add(reason);
            if (keepsOutcomes) {
                outcomes.put(index, AppliedOutcome.rejected(reason));
            }
            applied = index;
        }

        @Override
        public synchronized AppliedOutcome outcomeAt(long index) {
            asked.add(index);
            if (outcomeFailure != null) {
                throw outcomeFailure;
            }
            return outcomes.get(index);
        }

        synchronized List<String> values() {
            return List.copyOf(values);
        }

        synchronized List<Long> asked() {
            return List.copyOf(asked);
        }

        synchronized List<String> rejectedReasons() {
            return List.copyOf(rejectedReasons);
        }

        synchronized void failOutcomeReads(RuntimeException failure) {
            outcomeFailure = failure;
        }
    }

    private static RaftNodeConfig solo() {
        return RaftNodeConfig.of("solo", "kept-outcomes").withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS,
                "solo"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits for the answer; again while there is no leader yet (Retry: certainly not in the log). */
    private static CommandResult untilNotRetry(Supplier<CompletionStage<CommandResult>> call)
            throws Exception {
        CommandResult r;
        do {
            r = call.get().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } while (r instanceof CommandResult.Retry);
        return r;
    }

    /** What one run before the restart left: the session, its two sequences and their answers. */
    private record FirstRun(String sessionId, long okSequence, CommandResult.Ok ok, long rejectedSequence,
                            CommandResult.ApplicationError rejected) {
    }

    /**
     * Starts the node, submits "pay" and a rejected "Xbad" through a session, and stops it. The two are
     * submitted together, so each carries the mark of the first: the table keeps both outcomes, as for a
     * client that did not hear the answers (its node crashed) and re-sends both.
     */
    private static FirstRun firstRun(InMemoryRaftLog log, Ledger ledger) throws Exception {
        RaftNode node = new RaftNode(solo(), log, new LocalNetwork().transport("solo"), ledger);
        node.start();
        assertThat(untilNotRetry(() -> node.submit(bytes("warm-up")))).as("leading").isInstanceOf(
                CommandResult.Ok.class);
        ClientSession session = node.openSession();
        CompletableFuture<CommandResult> pay = session.submit(bytes("pay")).toCompletableFuture();
        long okSequence = session.lastSequence();
        CompletableFuture<CommandResult> bad = session.submit(bytes("Xbad")).toCompletableFuture();
        long rejectedSequence = session.lastSequence();
        CommandResult ok = pay.get(WAIT_SECONDS, TimeUnit.SECONDS);
        CommandResult rejected = bad.get(WAIT_SECONDS, TimeUnit.SECONDS);
        node.stop().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(ok).isInstanceOf(CommandResult.Ok.class);
        assertThat(rejected).isInstanceOf(CommandResult.ApplicationError.class);
        assertThat(ledger.rejectedReasons()).as("the rejection recorded with the reason the client got")
                .containsExactly(((CommandResult.ApplicationError) rejected).message());
        return new FirstRun(session.id(), okSequence, (CommandResult.Ok) ok, rejectedSequence,
                (CommandResult.ApplicationError) rejected);
    }

    @Test
    void aDuplicateAfterARestartGetsTheOriginalAnswerFromAStateMachineThatKeepsOutcomes() throws Exception {
        InMemoryRaftLog log = new InMemoryRaftLog();
        Ledger ledger = new Ledger(true);
        FirstRun first = firstRun(log, ledger);
        assertThat(first.ok().result()).isEqualTo(bytes("2:pay"));
        assertThat(first.rejected().message()).isEqualTo("refused Xbad");

        RaftNode again = new RaftNode(solo(), log, new LocalNetwork().transport("solo"), ledger);
        again.start();
        assertThat(ledger.asked()).as("asked for the two session commands applied, nothing else")
                .containsExactly(first.ok().index(), first.rejected().index());
        ClientSession resumed = again.session(first.sessionId());
        CommandResult ok = untilNotRetry(() -> resumed.resubmit(first.okSequence(), bytes("pay")));
        CommandResult rejected = untilNotRetry(() -> resumed.resubmit(first.rejectedSequence(), bytes("Xbad")));
        again.stop().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(ok).isInstanceOfSatisfying(CommandResult.Ok.class, o -> {
            assertThat(o.index()).as("the original index").isEqualTo(first.ok().index());
            assertThat(o.result()).as("the original output").isEqualTo(first.ok().result());
        });
        assertThat(rejected).isEqualTo(first.rejected());
        assertThat(ledger.values()).as("applied exactly once").containsExactly("warm-up", "pay");
    }

    @Test
    void aDuplicateAfterARestartIsRefusedAsAppliedByAStateMachineThatKeepsNoOutcomes() throws Exception {
        InMemoryRaftLog log = new InMemoryRaftLog();
        Ledger ledger = new Ledger(false);
        FirstRun first = firstRun(log, ledger);

        RaftNode again = new RaftNode(solo(), log, new LocalNetwork().transport("solo"), ledger);
        again.start();
        assertThat(ledger.asked()).as("never asked").isEmpty();
        ClientSession resumed = again.session(first.sessionId());
        CommandResult ok = untilNotRetry(() -> resumed.resubmit(first.okSequence(), bytes("pay")));
        CommandResult rejected = untilNotRetry(() -> resumed.resubmit(first.rejectedSequence(), bytes("Xbad")));
        again.stop().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(ok).isInstanceOfSatisfying(CommandResult.Refused.class, r -> assertThat(r.reason())
                .contains("exactly once, at index " + first.ok().index()).contains("not known"));
        assertThat(rejected).isInstanceOfSatisfying(CommandResult.Refused.class, r -> assertThat(r.reason())
                .contains("exactly once, at index " + first.rejected().index()).contains("not known"));
        assertThat(ledger.values()).as("applied exactly once").containsExactly("warm-up", "pay");
    }

    @Test
    void aStateMachineThatFailsToTellAnOutcomeAtStartFailsTheStartNamingTheIndex() throws Exception {
        InMemoryRaftLog log = new InMemoryRaftLog();
        Ledger ledger = new Ledger(true);
        FirstRun first = firstRun(log, ledger);
        ledger.failOutcomeReads(new IllegalStateException("database unreachable"));

        ThreadedRuntime runtime = new ThreadedRuntime("solo");
        RaftNode again = new RaftNode(solo(), log, new LocalNetwork().transport("solo"), ledger, runtime);
        try {
            assertThatThrownBy(again::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("index " + first.ok().index())
                    .hasRootCauseMessage("database unreachable");
        } finally {
            runtime.shutdown().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        // Once the database is back, a new start gets the answers.
        ledger.failOutcomeReads(null);
        RaftNode later = new RaftNode(solo(), log, new LocalNetwork().transport("solo"), ledger);
        later.start();
        CommandResult ok = untilNotRetry(() -> later.session(first.sessionId()).resubmit(first.okSequence(),
                bytes("pay")));
        later.stop().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(ok).isInstanceOfSatisfying(CommandResult.Ok.class,
                o -> assertThat(o.result()).isEqualTo(first.ok().result()));
        assertThat(ledger.values()).containsExactly("warm-up", "pay");
    }
}
