package org.raftengine.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.Member;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.Role;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.wire.ConfigurationCodec;

/** The checks themselves, on a hand-driven fake cluster (no engine needed). */
class InvariantsTest {

    /** A cluster whose every fact the test sets by hand. */
    private static final class FakeView implements ClusterView {
        final Simulation sim = new Simulation(4242);
        final List<String> ids = List.of("n1", "n2", "n3");
        final Map<String, NodeStatus> statuses = new HashMap<>();
        final Map<String, Integer> incarnations = new HashMap<>();
        final Map<String, Long> appliedAtRestart = new HashMap<>();
        final Map<String, SimStateMachine> machines = new HashMap<>();
        final Map<String, List<LogEntry>> logs = new HashMap<>();
        final ClientHistory history = new ClientHistory();

        FakeView() {
            for (String id : ids) {
                statuses.put(id, status(id, Role.FOLLOWER, 1, 0, 0));
                incarnations.put(id, 1);
                appliedAtRestart.put(id, 0L);
                machines.put(id, new SimStateMachine(id));
                logs.put(id, new ArrayList<>());
            }
        }

        static NodeStatus status(String id, Role role, long term, long commit, long applied) {
            return new NodeStatus(id, role, term, null, commit, term, commit, commit, applied, Map.of(), 1, 0);
        }

        @Override public Simulation simulation() { return sim; }
        @Override public List<String> nodeIds() { return ids; }
        @Override public boolean isUp(String id) { return true; }
        @Override public NodeStatus status(String id) { return statuses.get(id); }
        @Override public int incarnation(String id) { return incarnations.get(id); }
        @Override public long appliedAtRestart(String id) { return appliedAtRestart.get(id); }
        @Override public SimStateMachine stateMachine(String id) { return machines.get(id); }
        @Override public List<LogEntry> logEntries(String id) { return logs.get(id); }
        @Override public long logFirstIndex(String id) { return 1; }
        @Override public long logTermAt(String id, long index) {
            for (LogEntry e : logs.get(id)) {
                if (e.index() == index) {
                    return e.term();
                }
            }
            return 0;
        }
        @Override public ClientHistory history() { return history; }
    }

    private FakeView view;
    private Invariants inv;

    @BeforeEach
    void setUp() {
        view = new FakeView();
        inv = new Invariants(view);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oneLeaderPerTermOverTheWholeRun() {
        view.statuses.put("n1", FakeView.status("n1", Role.LEADER, 2, 0, 0));
        inv.checkStep();
        view.statuses.put("n1", FakeView.status("n1", Role.FOLLOWER, 3, 0, 0));
        view.statuses.put("n2", FakeView.status("n2", Role.LEADER, 3, 0, 0));
        inv.checkStep();
        assertThat(inv.leaders()).containsEntry(2L, "n1").containsEntry(3L, "n2");
        // n3 claims term 2 long after n1 led it: still a violation.
        view.statuses.put("n3", FakeView.status("n3", Role.LEADER, 2, 0, 0));
        assertThatThrownBy(inv::checkStep).isInstanceOfSatisfying(InvariantViolation.class, v -> {
            assertThat(v.invariant()).isEqualTo("ONE-LEADER");
            assertThat(v.getMessage()).contains("term 2", "n1", "n3", "seed 4242");
        });
    }

    @Test
    void commitAndAppliedNeverGoBackWithinAnIncarnation() {
        view.statuses.put("n2", FakeView.status("n2", Role.FOLLOWER, 1, 5, 4));
        inv.checkStep();
        view.statuses.put("n2", FakeView.status("n2", Role.FOLLOWER, 1, 4, 4));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("MONOTONIC")
                .hasMessageContaining("commit index went back from 5 to 4");
    }

    @Test
    void afterARestartAppliedStartsAtTheStateMachinesIndex() {
        view.statuses.put("n2", FakeView.status("n2", Role.FOLLOWER, 1, 5, 5));
        inv.checkStep();
        view.incarnations.put("n2", 2);
        view.appliedAtRestart.put("n2", 5L);
        view.statuses.put("n2", FakeView.status("n2", Role.FOLLOWER, 1, 0, 5));
        assertThatCode(inv::checkStep).doesNotThrowAnyException();
        view.incarnations.put("n2", 3);
        view.statuses.put("n2", FakeView.status("n2", Role.FOLLOWER, 1, 0, 0));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("MONOTONIC")
                .hasMessageContaining("had applied 5");
    }

    @Test
    void twoStateMachinesMustNotApplyDifferentCommandsAtOneIndex() {
        view.machines.get("n1").apply(1, b("a"));
        view.machines.get("n2").apply(1, b("a"));
        inv.checkStep();
        view.machines.get("n1").apply(2, b("b"));
        inv.checkStep();
        view.machines.get("n3").apply(1, b("a"));
        view.machines.get("n3").apply(2, b("c"));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("SAME-APPLY")
                .hasMessageContaining("index 2").hasMessageContaining("'b'").hasMessageContaining("'c'");
    }

    @Test
    void aWipedNodesNewStateMachineIsCheckedToo() {
        view.machines.get("n1").apply(1, b("a"));
        inv.checkStep();
        view.machines.put("n1", new SimStateMachine("n1"));
        view.machines.get("n1").recordApplied(1);
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("SAME-APPLY");
    }

    @Test
    void anAcknowledgedCommandIsWhatEveryReplicaAppliesAtItsIndex() {
        ClientOperation op = view.history.invoke("n1", b("mine"), 0);
        view.history.complete(op, 10, new CommandResult.Ok(1, b("1:mine")));
        inv.checkStep(); // nothing applied yet anywhere: fine
        view.machines.get("n2").apply(1, b("other"));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("DURABLE")
                .hasMessageContaining("'mine'");
    }

    @Test
    void logMatchFindsLogsThatAgreeOnAnEntryButNotOnItsPrefix() {
        view.logs.get("n1").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 2, b("b"))));
        view.logs.get("n2").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 2, b("b")),
                LogEntry.command(3, 2, b("c"))));
        view.logs.get("n3").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 3, b("z"))));
        inv.checkLogs(); // diverging suffixes of different terms are legal
        view.logs.get("n3").set(0, LogEntry.command(1, 1, b("q")));
        view.logs.get("n3").add(LogEntry.command(3, 2, b("c")));
        assertThatThrownBy(inv::checkLogs).isInstanceOf(InvariantViolation.class).hasMessageContaining("LOG-MATCH")
                .hasMessageContaining("differ at index 1");
    }

    @Test
    void corruptEntriesAreIgnoredByLogMatch() {
        LogEntry good = LogEntry.command(1, 1, b("a"));
        LogEntry corrupt = new LogEntry(1, 1, good.type(), 0, b("b"), good.checksum());
        view.logs.get("n1").addAll(List.of(good, LogEntry.command(2, 1, b("x"))));
        view.logs.get("n2").addAll(List.of(corrupt, LogEntry.command(2, 1, b("x"))));
        assertThatCode(inv::checkLogs).doesNotThrowAnyException();
    }

    @Test
    void anAcknowledgedCommandMustBeInAMajorityOfLogs() {
        ClientOperation op = view.history.invoke("n1", b("mine"), 0);
        view.history.complete(op, 10, new CommandResult.Ok(1, b("1:mine")));
        inv.checkStep();
        view.logs.get("n1").add(LogEntry.command(1, 1, b("mine")));
        assertThatThrownBy(inv::checkLogs).isInstanceOf(InvariantViolation.class).hasMessageContaining("DURABLE")
                .hasMessageContaining("only 1 of 3");
        view.logs.get("n3").add(LogEntry.command(1, 1, b("mine")));
        assertThatCode(inv::checkLogs).doesNotThrowAnyException();
        inv.setMajorityCheck(false);
        view.logs.get("n3").clear();
        assertThatCode(inv::checkLogs).doesNotThrowAnyException();
    }

    @Test
    void asAStepListenerItStopsTheRunAtTheStepThatBreaksAnInvariant() {
        view.sim.addStepListener(inv);
        view.sim.setNodeStateSource(() -> List.of(new NodeState("n1", 'L', 2, 0, 0, 0, 0)));
        view.sim.schedule(Duration.ofMillis(1), "n1", EventKind.ACTION, "n1 wins term 2",
                () -> view.statuses.put("n1", FakeView.status("n1", Role.LEADER, 2, 0, 0)));
        view.sim.schedule(Duration.ofMillis(2), "n2", EventKind.ACTION, "n2 wins term 2 too",
                () -> view.statuses.put("n2", FakeView.status("n2", Role.LEADER, 2, 0, 0)));
        view.sim.schedule(Duration.ofMillis(3), null, EventKind.ACTION, "never runs", () -> { });
        assertThatThrownBy(() -> view.sim.runFor(Duration.ofMillis(10)))
                .isInstanceOfSatisfying(InvariantViolation.class, v -> {
                    assertThat(v.getMessage()).contains("ONE-LEADER", "n2 wins term 2 too", "| n1")
                            .doesNotContain("never runs");
                    assertThat(v.traceFile()).exists();
                });
        assertThat(view.sim.now()).isEqualTo(2_000_000L);
    }

    private static NodeStatus leader(String id, long term, long last, long commit) {
        return new NodeStatus(id, Role.LEADER, term, id, last, term, commit, last, commit, Map.of(), 1, 0);
    }

    private static NodeStatus follower(String id, long term, long last, long commit) {
        return new NodeStatus(id, Role.FOLLOWER, term, null, last, term, commit, last, commit, Map.of(), 1, 0);
    }

    @Test
    void logMatchIsCheckedOnEveryWrite() {
        LogEntry a1 = LogEntry.command(1, 1, b("a"));
        inv.onAppend("n1", 0, List.of(a1, LogEntry.command(2, 1, b("b"))));
        inv.onAppend("n2", 0, List.of(a1));
        inv.onAppend("n2", 1, List.of(LogEntry.command(2, 1, b("b")))); // the same entry again: fine
        inv.onAppend("n3", 1, List.of(LogEntry.command(2, 2, b("c")))); // another term at index 2: fine
        inv.checkStep();
        // Index 3 of term 2 after an entry of term 1 here, after an entry of term 2 there: logs differ below.
        inv.onAppend("n3", 2, List.of(LogEntry.command(3, 2, b("d"))));
        inv.onAppend("n1", 1, List.of(LogEntry.command(3, 2, b("d"))));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("LOG-MATCH")
                .hasMessageContaining("same index and term, different logs");
    }

    @Test
    void logMatchCatchesTwoEntriesOfOneIndexAndTerm() {
        inv.onAppend("n1", 0, List.of(LogEntry.command(1, 1, b("a"))));
        inv.onAppend("n2", 0, List.of(LogEntry.command(1, 1, b("z"))));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("LOG-MATCH");
    }

    @Test
    void twoIncarnationsOfTheClusterAreTwoClustersForLogMatch() {
        inv.onAppend("n1", 7, 0, List.of(LogEntry.command(1, 1, b("a"))));
        inv.onAppend("n2", 9, 0, List.of(LogEntry.command(1, 1, b("z")))); // another cluster: not compared
        assertThatCode(inv::checkStep).doesNotThrowAnyException();
        inv.onAppend("n3", 9, 0, List.of(LogEntry.command(1, 1, b("y")))); // the same incarnation as n2
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("LOG-MATCH");
    }

    private static LogEntry configurationEntry(long index, long term, Member... members) {
        ClusterConfiguration c = new ClusterConfiguration(List.of(members), ClusterSettings.DEFAULTS, 5);
        return LogEntry.of(index, term, EntryType.CONFIGURATION, 0, ConfigurationCodec.encode(c));
    }

    @Test
    void durableCountsTheVotersOfTheCommittedConfiguration() {
        LogEntry three = configurationEntry(1, 1, Member.of("n1"), Member.of("n2"), Member.of("n3"));
        LogEntry mine = LogEntry.command(2, 1, b("mine"));
        inv.onAppend("n1", 0, List.of(three, mine));
        view.logs.get("n1").addAll(List.of(three, mine));
        view.statuses.put("n1", leader("n1", 1, 2, 2));
        ClientOperation op = view.history.invoke("n1", b("mine"), 0);
        view.history.complete(op, 10, new CommandResult.Ok(2, b("1:mine")));
        inv.checkStep();
        assertThatThrownBy(inv::checkLogs).isInstanceOf(InvariantViolation.class).hasMessageContaining("DURABLE")
                .hasMessageContaining("only 1 of 3 voters [n1, n2, n3]");
        view.logs.get("n3").addAll(List.of(three, mine));
        assertThatCode(inv::checkLogs).doesNotThrowAnyException();
        // n3 made a learner, n1 and n2 the voters: once that is committed, n3's copy no longer counts, and of two
        // voters one holding it is enough (both make every majority).
        LogEntry two = configurationEntry(3, 1, Member.of("n1"), Member.of("n2"), Member.learner("n3"));
        inv.onAppend("n1", 0, List.of(two));
        view.logs.get("n1").add(two);
        view.statuses.put("n1", leader("n1", 1, 3, 3));
        inv.checkStep();
        assertThatCode(inv::checkLogs).doesNotThrowAnyException();
        view.logs.get("n1").remove(mine);
        assertThatThrownBy(inv::checkLogs).isInstanceOf(InvariantViolation.class).hasMessageContaining("DURABLE")
                .hasMessageContaining("only 0 of 2 voters [n1, n2]");
    }

    @Test
    void durableLooksAtTheCommittedConfigurationNotOneOnlyAppended() {
        LogEntry three = configurationEntry(1, 1, Member.of("n1"), Member.of("n2"), Member.of("n3"));
        LogEntry mine = LogEntry.command(2, 1, b("mine"));
        inv.onAppend("n1", 0, List.of(three, mine));
        view.logs.get("n1").addAll(List.of(three, mine));
        view.logs.get("n2").addAll(List.of(three, mine));
        view.statuses.put("n1", leader("n1", 1, 2, 2));
        ClientOperation op = view.history.invoke("n1", b("mine"), 0);
        view.history.complete(op, 10, new CommandResult.Ok(2, b("1:mine")));
        inv.checkStep();
        assertThatCode(inv::checkLogs).doesNotThrowAnyException();
        // Appended, not committed: n3 alone. The committed configuration's voters count.
        LogEntry alone = configurationEntry(3, 1, Member.of("n3"));
        inv.onAppend("n3", 0, List.of(alone));
        view.logs.get("n3").addAll(List.of(three, alone));
        inv.checkStep();
        assertThatCode(inv::checkLogs).doesNotThrowAnyException();
    }

    @Test
    void aLaterLeaderMustHoldEveryCommittedEntry() {
        view.logs.get("n1").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 1, b("b"))));
        view.statuses.put("n1", leader("n1", 1, 2, 2));
        inv.checkStep(); // n1 knows 1..2 committed with term 1
        view.logs.get("n2").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 2, b("x"))));
        view.statuses.put("n1", follower("n1", 2, 2, 2));
        view.statuses.put("n2", leader("n2", 2, 2, 0));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("COMPLETE")
                .hasMessageContaining("n2 leads term 2 but holds term 2 at index 2, where an entry of term 1 was committed by term 1");
    }

    @Test
    void aLeaderWhoseLogEndsBeforeACommittedEntryIsCaught() {
        view.logs.get("n1").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 1, b("b"))));
        view.statuses.put("n1", follower("n1", 1, 2, 2));
        inv.checkStep();
        view.logs.get("n3").add(LogEntry.command(1, 1, b("a")));
        view.statuses.put("n3", leader("n3", 2, 1, 0));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("COMPLETE")
                .hasMessageContaining("index 2 was committed by term 1");
    }

    @Test
    void aDeposedLeaderThatMissedLaterCommitsIsLegal() {
        view.logs.get("n1").add(LogEntry.command(1, 1, b("a")));
        view.statuses.put("n1", leader("n1", 1, 1, 1));
        inv.checkStep();
        // n2 and n3 moved on to term 3 and committed index 2 there; n1, cut off, still thinks it leads term 1.
        view.logs.get("n2").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 3, b("c"))));
        view.statuses.put("n2", leader("n2", 3, 2, 2));
        assertThatCode(inv::checkStep).doesNotThrowAnyException();
    }

    @Test
    void anOldEntryCommittedInALaterTermBindsOnlyLeadersAfterThatTerm() {
        // n1, leader of term 3, commits index 2 (written in term 1) through its own term's entry.
        view.logs.get("n1").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 1, b("b")),
                LogEntry.command(3, 3, b("noop"))));
        view.statuses.put("n1", leader("n1", 3, 3, 3));
        inv.checkStep();
        // n2 still leads term 2, cut off, with another index 2: it never could have known. Legal.
        view.logs.get("n2").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 2, b("x"))));
        view.statuses.put("n2", leader("n2", 2, 2, 1));
        assertThatCode(inv::checkStep).doesNotThrowAnyException();
        // n3 leads term 4 with that other index 2: it should have had the committed one.
        view.logs.get("n3").addAll(List.of(LogEntry.command(1, 1, b("a")), LogEntry.command(2, 2, b("x")),
                LogEntry.command(3, 4, b("noop"))));
        view.statuses.put("n1", follower("n1", 4, 3, 3));
        view.statuses.put("n2", follower("n2", 4, 2, 1));
        view.statuses.put("n3", leader("n3", 4, 3, 1));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("COMPLETE")
                .hasMessageContaining("n3 leads term 4 but holds term 2 at index 2");
    }

    @Test
    void twoNodesThatKnowDifferentTermsCommittedAtOneIndexAreCaught() {
        view.logs.get("n1").add(LogEntry.command(1, 1, b("a")));
        view.statuses.put("n1", follower("n1", 2, 1, 1));
        inv.checkStep();
        view.logs.get("n2").add(LogEntry.command(1, 2, b("b")));
        view.statuses.put("n2", follower("n2", 2, 1, 1));
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("COMPLETE")
                .hasMessageContaining("n2 knows index 1 committed with term 2 but it was committed with term 1");
    }

    @Test
    void onlyTheReportedInvariantsFailARun() {
        view.statuses.put("n1", FakeView.status("n1", Role.LEADER, 2, 0, 0));
        view.statuses.put("n2", FakeView.status("n2", Role.LEADER, 2, 0, 0));
        inv.reportOnly(java.util.Set.of("MONOTONIC"));
        assertThatCode(inv::checkStep).doesNotThrowAnyException();
        inv.reportOnly(null);
        assertThatThrownBy(inv::checkStep).isInstanceOf(InvariantViolation.class).hasMessageContaining("ONE-LEADER");
    }
}
