package org.raftengine.testkit.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.sim.ClientHistory;
import org.raftengine.testkit.sim.ClientOperation;
import org.raftengine.testkit.sim.SimStateMachine;

class NemesisTest {

    @Test
    void theSameSeedReplaysTheSameRun() {
        SeedResult a = Nemesis.run(17);
        SeedResult b = Nemesis.run(17);
        assertThat(a.passed()).isTrue();
        assertThat(b).usingRecursiveComparison().isEqualTo(a);
        assertThat(a.commandsCommitted()).isPositive();
        assertThat(a.elections()).isPositive();
        assertThat(a.linearizability()).isEqualTo(SeedResult.Linearizability.LINEARIZABLE);
    }

    @Test
    void sizesOneThreeAndFiveAreDrawnAndCanBeForced() {
        Set<Integer> sizes = new HashSet<>();
        for (long seed = 1; seed <= 40; seed++) {
            SeedResult r = Nemesis.run(seed, Nemesis.Options.DEFAULTS.withLinearizability(false));
            assertThat(r.passed()).as(r.toString()).isTrue();
            sizes.add(r.nodes());
        }
        assertThat(sizes).containsExactlyInAnyOrder(1, 3, 5);
        for (int n : new int[] {1, 3, 5}) {
            SeedResult r = Nemesis.run(3, Nemesis.Options.DEFAULTS.withNodes(n));
            assertThat(r.nodes()).isEqualTo(n);
            assertThat(r.passed()).as(r.toString()).isTrue();
            assertThat(r.replayCommand()).isEqualTo("bin/simulate --from 3 --seeds 1 --nodes " + n);
        }
    }

    @Test
    void mixV1KeepsTheSizesOfTheFirstSweep() {
        for (long seed = 1; seed <= 10; seed++) {
            SeedResult r = Nemesis.run(seed, Nemesis.Options.DEFAULTS.withMix(Nemesis.Mix.V1).withLinearizability(false));
            assertThat(r.nodes()).isIn(3, 5);
            assertThat(r.replayCommand()).endsWith("--mix v1 --no-lin");
        }
    }

    // ---- the history adapter ----

    private static byte[] cmd(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static CommandResult ok(long index, long position, String command) {
        return new CommandResult.Ok(index, SimStateMachine.resultFor(position, cmd(command)));
    }

    @Test
    void okAnswersArePositionsAndLinearizableWhenConsistent() {
        ClientHistory h = new ClientHistory();
        ClientOperation a = h.invoke("n1", cmd("a"), 0);
        ClientOperation b = h.invoke("n2", cmd("b"), 5);
        ClientOperation c = h.invoke("n3", cmd("c"), 6);
        h.invoke("n1", cmd("lost"), 7); // never answered: may or may not be in the log
        h.complete(b, 10, ok(3, 1, "b")); // concurrent with a, so b may come first
        h.complete(a, 11, ok(4, 2, "a"));
        h.complete(c, 12, new CommandResult.Retry("no leader"));
        assertThat(LogLinearizability.check(h, 100_000)).isInstanceOf(CheckResult.Linearizable.class);
    }

    @Test
    void anAppendPlacedBeforeOneThatFinishedEarlierIsCaught() {
        ClientHistory h = new ClientHistory();
        ClientOperation a = h.invoke("n1", cmd("a"), 0);
        h.complete(a, 10, ok(2, 2, "a"));
        ClientOperation b = h.invoke("n2", cmd("b"), 20);
        h.complete(b, 30, ok(3, 1, "b")); // b started after a was acknowledged at position 2
        assertThat(LogLinearizability.check(h, 100_000)).isInstanceOf(CheckResult.NotLinearizable.class);
    }

    @Test
    void aRetriedCommandCannotExplainAGap() {
        ClientHistory h = new ClientHistory();
        ClientOperation a = h.invoke("n1", cmd("a"), 0);
        h.complete(a, 1, new CommandResult.Retry("back-pressure"));
        ClientOperation b = h.invoke("n1", cmd("b"), 2);
        h.complete(b, 3, ok(3, 2, "b")); // position 2: something else must have gone first
        assertThat(LogLinearizability.check(h, 100_000)).isInstanceOf(CheckResult.NotLinearizable.class);

        ClientHistory withIndeterminate = new ClientHistory();
        ClientOperation x = withIndeterminate.invoke("n1", cmd("a"), 0);
        withIndeterminate.complete(x, 1, new CommandResult.Indeterminate("timed out"));
        ClientOperation y = withIndeterminate.invoke("n1", cmd("b"), 2);
        withIndeterminate.complete(y, 3, ok(3, 2, "b")); // the indeterminate one did take effect
        assertThat(LogLinearizability.check(withIndeterminate, 100_000)).isInstanceOf(CheckResult.Linearizable.class);
    }

    @Test
    void anOkResultForAnotherCommandIsRefused() {
        ClientHistory h = new ClientHistory();
        ClientOperation a = h.invoke("n1", cmd("a"), 0);
        h.complete(a, 1, ok(2, 1, "someone-else"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogLinearizability.operations(h))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the state machine's result");
    }

    private static CommandResult read(long index, String... values) {
        return new CommandResult.Ok(index, SimStateMachine.readResult(List.of(values)));
    }

    @Test
    void aReadSeesTheListAsItStoodBetweenItsCallAndItsAnswer() {
        ClientHistory h = new ClientHistory();
        ClientOperation a = h.invoke("n1", cmd("a"), 0);
        h.complete(a, 10, ok(2, 1, "a"));
        ClientOperation b = h.invoke("n2", cmd("b"), 20);
        ClientOperation r = h.invoke("n3", cmd("?r1"), 21);
        h.complete(r, 25, read(4, "a")); // b not yet in: fine, b was still in flight
        h.complete(b, 30, ok(3, 2, "b"));
        ClientOperation lost = h.invoke("n1", cmd("?r2"), 31);
        h.complete(lost, 32, new CommandResult.Retry("no leader")); // a failed read tells nothing
        assertThat(LogLinearizability.check(h, 100_000)).isInstanceOf(CheckResult.Linearizable.class);
    }

    @Test
    void aStaleReadIsCaught() {
        ClientHistory h = new ClientHistory();
        ClientOperation a = h.invoke("n1", cmd("a"), 0);
        h.complete(a, 10, ok(2, 1, "a"));
        ClientOperation b = h.invoke("n2", cmd("b"), 11);
        h.complete(b, 20, ok(3, 2, "b"));
        ClientOperation r = h.invoke("n3", cmd("?r1"), 30); // after b was acknowledged
        h.complete(r, 40, read(3, "a")); // b missing: a deposed leader's answer
        assertThat(LogLinearizability.check(h, 100_000)).isInstanceOf(CheckResult.NotLinearizable.class);
    }

    @Test
    void aReadAnsweredWithAnAppendResultIsRefused() {
        ClientHistory h = new ClientHistory();
        ClientOperation r = h.invoke("n1", cmd("?r1"), 0);
        h.complete(r, 1, ok(2, 1, "?r1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogLinearizability.operations(h))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is a read");
    }

    // ---- the command ----

    @Test
    void simulateMainPrintsTheSummaryLineLast() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SimulateMain.Args args = SimulateMain.parse(new String[] {"--seeds", "6", "--from", "101"});
        int violations = SimulateMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(violations).isZero();
        assertThat(lines[lines.length - 1]).matches(
                "simulated 6 seeds: 0 violations, \\d+ commands committed, \\d+ elections, \\d+ snapshots taken, \\d+ snapshots installed, \\d+ duplicate submits applied once, \\d+ membership changes, \\d+ leadership transfers, \\d+ linearizable reads, in \\d+\\.\\d s");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("[simulate] 3/6 seeds (50%)");
    }

    @Test
    void simulateMainParsesItsFlags() {
        SimulateMain.Args a = SimulateMain.parse(new String[] {"--seeds", "1", "--from", "6696", "--mix", "v1",
            "--nodes", "5", "--threads", "2"});
        assertThat(a.from()).isEqualTo(6696);
        assertThat(a.seeds()).isEqualTo(1);
        assertThat(a.threads()).isEqualTo(2);
        assertThat(a.options().mix()).isEqualTo(Nemesis.Mix.V1);
        assertThat(a.options().nodes()).isEqualTo(5);
        assertThat(SimulateMain.parse(new String[] {"--help"})).isNull();
        SimulateMain.Args broken = SimulateMain.parse(new String[] {"--breach", "apply-before-commit", "--only",
            "SAME-APPLY,DURABLE"});
        assertThat(broken.options().breaches()).containsExactly(org.raftengine.core.internal.RuleBreach.APPLY_BEFORE_COMMIT);
        assertThat(broken.options().reported()).containsExactlyInAnyOrder("SAME-APPLY", "DURABLE");
        assertThat(broken.options().commandLineFlags()).isEqualTo(" --breach APPLY_BEFORE_COMMIT --only DURABLE,SAME-APPLY");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulateMain.parse(new String[] {"--breach", "nope"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no rule nope");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulateMain.parse(new String[] {"--nodes", "0"}))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulateMain.parse(new String[] {"--bogus"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
