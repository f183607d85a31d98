package org.raftengine.testkit.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.raftengine.testkit.scenarios.Scenarios.bytes;
import static org.raftengine.testkit.scenarios.Scenarios.lastIndex;
import static org.raftengine.testkit.scenarios.Scenarios.seconds;
import static org.raftengine.testkit.scenarios.Scenarios.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.ConfigurationResult;
import org.raftengine.core.Member;
import org.raftengine.core.Role;
import org.raftengine.core.SnapshotPolicy;
import org.raftengine.core.internal.RuleBreach;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.wire.ConfigurationCodec;
import org.raftengine.testkit.lin.CheckResult;
import org.raftengine.testkit.nemesis.LogLinearizability;
import org.raftengine.testkit.sim.InvariantViolation;
import org.raftengine.testkit.sim.SimCluster;

/**
 * Membership changes and settings through the log (issue 10; RELIABILITY 6, 28, 29, 30 and 31), on the simulator
 * with every invariant checked after every step and the client histories against the linearizability checker.
 * The scripts of RELIABILITY 28 and 30 also run on engines that break the rule they guard
 * ({@link RuleBreach#CONFIGURATION_CHANGE_BEFORE_TERM_COMMIT}, {@link RuleBreach#REMOVED_LEADER_COUNTS_ITSELF}),
 * where the checkers must catch them.
 */
class MembershipScenariosTest {

    private static <T> T await(SimCluster c, CompletionStage<T> stage, Duration max) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        assertThat(c.runUntil(f::isDone, max)).as("answered within %s", max).isTrue();
        return f.join();
    }

    /**
     * Runs until {@code stage} is answered, a client submitting a command to whoever leads every 10 ms and, every
     * third time, a linearizable read (so the change happens under load).
     */
    private static <T> T awaitUnderLoad(SimCluster c, CompletionStage<T> stage, Duration max, String tag) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        long deadline = c.now() + max.toNanos();
        int i = 0;
        while (!f.isDone() && c.now() < deadline) {
            load(c, tag, i++);
            c.runFor(Duration.ofMillis(10));
        }
        assertThat(f).as("answered within %s", max).isDone();
        return f.join();
    }

    private static void load(SimCluster c, String tag, int i) {
        String leader = c.leader();
        if (leader != null) {
            c.submit(leader, bytes(tag + "-" + i));
            if (i % 3 == 0) {
                c.read(leader);
            }
        }
    }

    /** Writes {@code count} commands through whoever leads, one every 10 ms. */
    private static void write(SimCluster c, String tag, int count) {
        for (int i = 0; i < count; i++) {
            load(c, tag, i);
            c.runFor(Duration.ofMillis(10));
        }
    }

    /** A fresh command commits through the leader within {@code max} (LIVE), retried while leadership moves. */
    private static CommandResult.Ok commitOne(SimCluster c, String tag, Duration max) {
        long deadline = c.now() + max.toNanos();
        int attempt = 0;
        while (c.now() < deadline) {
            String leader = c.awaitLeader(Duration.ofNanos(Math.max(1, deadline - c.now())));
            if (leader == null) {
                break;
            }
            CompletableFuture<CommandResult> f = c.submit(leader, bytes(tag + "#" + attempt++)).toCompletableFuture();
            c.runUntil(f::isDone, Duration.ofNanos(Math.max(1, deadline - c.now())));
            if (f.isDone() && f.join() instanceof CommandResult.Ok ok) {
                return ok;
            }
            c.runFor(Duration.ofMillis(50));
        }
        throw new AssertionError("no command committed within " + max + " (leader " + c.leader() + ")");
    }

    /** Every running member applied what the leader applied, with the same values; the history is linearizable. */
    private static void assertConverged(SimCluster c) {
        assertThat(c.runUntil(() -> {
            String leader = c.leader();
            if (leader == null) {
                return false;
            }
            long applied = c.status(leader).appliedIndex();
            return members(c, leader).stream().allMatch(id -> !c.isUp(id) || c.status(id).appliedIndex() == applied);
        }, seconds(20))).as("every member caught up").isTrue();
        String leader = c.leader();
        for (String id : members(c, leader)) {
            if (c.isUp(id)) {
                assertThat(c.stateMachine(id).values()).as(id).isEqualTo(c.stateMachine(leader).values());
            }
        }
        assertThat(c.readViolations()).isEmpty();
        CheckResult lin = LogLinearizability.check(c.history(), 2_000_000);
        assertThat(lin.isLinearizable()).as(lin.toString()).isTrue();
    }

    /** Voters and learners of {@code id}'s configuration. */
    private static List<String> members(SimCluster c, String id) {
        List<String> out = new ArrayList<>(c.status(id).voters());
        out.addAll(c.status(id).learners());
        return out;
    }

    private static List<String> ids(List<Member> members) {
        return members.stream().map(Member::id).toList();
    }

    // ---- adding and promoting

    @Test
    @DisplayName("a learner added, then promoted while clients write and read; the new voter counts toward commits")
    void learnerPromotedUnderLoad() {
        SimCluster c = SimCluster.builder().seed(1001).nodeCount(3).spares("n4").settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "before", 30);
        assertThat(c.status("n4").lastIndex()).as("a spare is sent nothing").isZero();
        assertThat(c.status("n4").role()).isEqualTo(Role.FOLLOWER);

        ConfigurationResult learner = awaitUnderLoad(c, c.addLearner(leader, "n4"), seconds(5), "learning");
        assertThat(learner).isInstanceOf(ConfigurationResult.Done.class);
        ClusterConfiguration withLearner = ((ConfigurationResult.Done) learner).configuration();
        assertThat(ids(withLearner.learners())).containsExactly("n4");
        assertThat(ids(withLearner.voters())).containsExactly("n1", "n2", "n3");
        assertThat(c.status(leader).learners()).containsExactly("n4");
        assertThat(c.status(leader).matchIndex()).containsKey("n4");
        // A learner receives the log, but is no voter.
        assertThat(c.runUntil(() -> c.status("n4").appliedIndex() >= c.status(leader).commitIndex() - 5, seconds(5)))
                .isTrue();
        assertThat(c.status("n4").isVoter()).isFalse();

        ConfigurationResult voter = awaitUnderLoad(c, c.addVoter(leader, "n4"), seconds(10), "promoting");
        assertThat(voter).as("promoted").isInstanceOf(ConfigurationResult.Done.class);
        assertThat(ids(((ConfigurationResult.Done) voter).configuration().voters())).containsExactly("n1", "n2", "n3",
                "n4");
        assertThat(c.status(leader).voters()).containsExactly("n1", "n2", "n3", "n4");
        assertThat(c.status(leader).learners()).isEmpty();
        assertThat(c.membershipChangesDone()).isEqualTo(2);
        // Asked again: the change is made already, Done at once.
        assertThat(await(c, c.addVoter(leader, "n4"), seconds(1))).isInstanceOf(ConfigurationResult.Done.class);
        write(c, "after", 30);

        // Four voters: a commit needs three, the new one among them once two others are down.
        List<String> old = Scenarios.others(c, leader).stream().filter(id -> !id.equals("n4")).toList();
        c.crash(old.get(0));
        commitOne(c, "one-down", seconds(5));
        c.restart(old.get(0));
        assertConverged(c);
        assertThat(c.runUntil(() -> c.status("n4").voters().contains("n4"), seconds(2))).isTrue();
    }

    @Test
    @DisplayName("a four-node (even) cluster: quorum 3, one node down commits, two down waits, back up commits")
    void fourNodeCluster() {
        SimCluster c = SimCluster.builder().seed(1002).nodeCount(3).spares("n4").settings(settings(true, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        assertThat(await(c, c.addVoter(leader, "n4"), seconds(10))).isInstanceOf(ConfigurationResult.Done.class);
        write(c, "four", 20);
        leader = c.leader();
        List<String> followers = Scenarios.others(c, leader);
        assertThat(followers).hasSize(3);

        c.crash(followers.get(0));
        commitOne(c, "three-up", seconds(5));
        c.crash(followers.get(1));
        // Two of four up: no majority (three), so nothing commits, and no one leads for long.
        CompletableFuture<CommandResult> stuck = c.submit(leader, bytes("two-up")).toCompletableFuture();
        c.runFor(seconds(3));
        assertThat(stuck.getNow(null)).as("not committed by two of four").satisfiesAnyOf(
                r -> assertThat(r).isNull(), r -> assertThat(r.isOk()).isFalse());
        c.restart(followers.get(1));
        commitOne(c, "three-again", seconds(10));
        c.restart(followers.get(0));
        assertConverged(c);
        // Two of the four cut off from the other two: neither half can elect or commit.
        String now = c.leader();
        List<String> rest = Scenarios.others(c, now);
        c.network().partition(List.of(now, rest.get(0)), List.of(rest.get(1), rest.get(2)));
        CompletableFuture<CommandResult> halves = c.submit(now, bytes("halves")).toCompletableFuture();
        c.runFor(seconds(3));
        assertThat(halves.getNow(null)).satisfiesAnyOf(r -> assertThat(r).isNull(), r -> assertThat(r.isOk()).isFalse());
        c.network().heal();
        commitOne(c, "healed", seconds(10));
        assertConverged(c);
    }

    @Test
    @DisplayName("a voter that cannot catch up (it is down): CatchUpFailed, it stays a learner, the cluster goes on")
    void catchUpFailure() {
        SimCluster c = SimCluster.builder().seed(1003).nodeCount(3).spares("n4").settings(settings(true, true)).build();
        c.start();
        c.crash("n4");
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "before", 20);
        ConfigurationResult r = awaitUnderLoad(c, c.addVoter(leader, "n4"), seconds(10), "during");
        assertThat(r).isInstanceOf(ConfigurationResult.CatchUpFailed.class);
        assertThat(c.status(leader).learners()).containsExactly("n4");
        assertThat(c.status(leader).voters()).containsExactly("n1", "n2", "n3");
        // The quorum is still two of three: one more voter down, commands still commit.
        c.crash(Scenarios.others(c, leader).get(0));
        commitOne(c, "unaffected", seconds(5));
        c.restart(Scenarios.others(c, leader).get(0));
        // Once it runs, it catches up as a learner and can be promoted.
        c.restart("n4");
        assertThat(c.runUntil(() -> c.status("n4").appliedIndex() >= c.status(c.leader()).commitIndex(), seconds(10)))
                .isTrue();
        assertThat(await(c, c.addVoter(c.leader(), "n4"), seconds(10))).isInstanceOf(ConfigurationResult.Done.class);
        assertConverged(c);
    }

    @Test
    @DisplayName("one change at a time: a second change asked meanwhile is Busy; a follower answers NotLeader")
    void busyWhenTwoChangesAtOnce() {
        SimCluster c = SimCluster.builder().seed(1004).nodeCount(3).spares("n4", "n5").settings(settings(true, true))
                .build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        CompletionStage<ConfigurationResult> first = c.addVoter(leader, "n4");
        CompletionStage<ConfigurationResult> second = c.addLearner(leader, "n5");
        CompletionStage<ConfigurationResult> third = c.updateSettings(leader, c.settings().withPreVote(false));
        assertThat(await(c, second, seconds(1))).isInstanceOf(ConfigurationResult.Busy.class);
        assertThat(await(c, third, seconds(1))).isInstanceOf(ConfigurationResult.Busy.class);
        String follower = Scenarios.others(c, leader).get(0);
        assertThat(await(c, c.addLearner(follower, "n5"), seconds(1)))
                .isEqualTo(new ConfigurationResult.NotLeader(leader));
        assertThat(await(c, first, seconds(10))).isInstanceOf(ConfigurationResult.Done.class);
        // Nothing of the refused ones was done.
        assertThat(c.status(leader).learners()).isEmpty();
        assertThat(c.configuration(leader).settings().preVote()).isTrue();
        // Once the first is over, the next one goes through.
        assertThat(await(c, c.addLearner(leader, "n5"), seconds(5))).isInstanceOf(ConfigurationResult.Done.class);
        assertThat(await(c, c.removeMember(leader, "n1".equals(leader) ? "n2" : "n1"), seconds(5)))
                .isInstanceOf(ConfigurationResult.Done.class);
        assertThat(c.membershipChangesDone()).isEqualTo(3);
        assertConverged(c);
    }

    // ---- RELIABILITY 28

    /**
     * RELIABILITY 28, the 2015 errata of the single-server algorithm, on the classic example. Four voters A..D and a
     * learner E. A, cut off with E, promotes E: that configuration (five voters) reaches E only. B, C and D elect X
     * (all three voted), and X is cut off from Y at once, before any entry of its term reached Y. X, with Z only,
     * removes Y: had X appended that configuration before committing an entry of its term, {A, X, Z} would be its
     * majority and X and Z would commit it; then A, back with E and Y, is elected by A, E and Y, a majority of its
     * own five-voter configuration: two disjoint majorities, and A leads without the entries X committed (COMPLETE).
     * The honest X waits for its term-start entry to commit first, which needs three of A..D: it never appends the
     * change while cut off, and A's election later is legitimate.
     */
    static void errata(Set<RuleBreach> breaches) {
        boolean honest = breaches.isEmpty();
        SimCluster c = SimCluster.builder().seed(28).nodeCount(4).spares("n5")
                .settings(settings(true, false)).breakingRules(breaches).build();
        c.start();
        String a = Scenarios.awaitSettledLeader(c, seconds(10));
        String e = "n5";
        assertThat(await(c, c.addLearner(a, e), seconds(5))).isInstanceOf(ConfigurationResult.Done.class);
        write(c, "base", 10);
        assertThat(c.runUntil(() -> lastIndex(c, e) == lastIndex(c, a)
                && c.status(e).appliedIndex() == lastIndex(c, a), seconds(5))).isTrue();
        List<String> bcd = Scenarios.others(c, a).stream().filter(id -> !id.equals(e)).toList();
        assertThat(bcd).hasSize(3);

        // A, cut off with E, promotes E: the five-voter configuration reaches E only.
        c.network().partition(List.of(a, e), bcd);
        CompletionStage<ConfigurationResult> promote = c.addVoter(a, e);
        long promotedAt = lastIndex(c, a) + 1;
        assertThat(c.runUntil(() -> c.status(a).durableIndex() >= promotedAt && lastIndex(c, e) >= promotedAt,
                seconds(1)))
                .as("A appended the promotion and E has it").isTrue();
        assertThat(c.configuration(a).isVoter(e)).isTrue();
        assertThat(promote.toCompletableFuture()).isNotDone();

        // B, C, D elect X; Y is cut off the moment X leads, before any entry of X's term reaches it.
        assertThat(c.runUntil(() -> bcd.contains(c.leader()), seconds(5))).isTrue();
        String x = c.leader();
        List<String> yz = bcd.stream().filter(id -> !id.equals(x)).toList();
        String y = yz.get(0);
        String z = yz.get(1);
        c.network().heal();
        c.network().partition(List.of(x, z), List.of(y), List.of(a, e));
        long termStart = lastIndex(c, x);
        assertThat(c.status(x).lastTerm()).as("X's term-start entry").isEqualTo(c.status(x).term());
        CompletionStage<ConfigurationResult> removeY = c.removeMember(x, y);
        // Observable ordering: while X's term-start entry is uncommitted, X appends no configuration entry.
        long xTerm = c.status(x).term();
        long until = c.now() + seconds(1).toNanos();
        while (c.now() < until && c.simulation().step()) {
            if (honest) {
                assertThat(c.status(x).commitIndex()).as("X's term-start entry needs three of A..D").isLessThan(termStart);
                assertThat(configurationEntries(c, x).stream().anyMatch(en -> en.term() == xTerm))
                        .as("no configuration entry before an entry of X's term is committed").isFalse();
            }
        }
        assertThat(lastIndex(c, y)).as("Y never got an entry of X's term").isLessThan(termStart);
        if (honest) {
            assertThat(removeY.toCompletableFuture()).isNotDone();
        }

        // A comes back with E and Y: a majority of A's five-voter configuration.
        c.network().heal();
        c.network().partition(List.of(x, z), List.of(a, e, y));
        assertThat(c.runUntil(() -> List.of(a, e, y).contains(c.leader()) && c.status(c.leader()).term() > xTerm,
                seconds(10))).as("A, E or Y leads a later term").isTrue();
        // Honest: nothing of X's term was committed, so that election lost nothing. Everyone together again.
        c.network().heal();
        commitOne(c, "healed", seconds(10));
        ConfigurationResult removal = await(c, removeY, seconds(5));
        assertThat(removal).isInstanceOfAny(ConfigurationResult.NotLeader.class);
        String leader = c.leader();
        assertThat(c.status(leader).voters()).containsExactlyInAnyOrder("n1", "n2", "n3", "n4", "n5");
        // The change goes through once asked of the leader.
        assertThat(await(c, c.removeMember(leader, y), seconds(5))).isInstanceOf(ConfigurationResult.Done.class);
        assertConverged(c);
    }

    private static List<LogEntry> configurationEntries(SimCluster c, String id) {
        return c.logEntries(id).stream().filter(en -> en.type() == EntryType.CONFIGURATION).toList();
    }

    @Test
    @DisplayName("28: a new leader appends no configuration change before an entry of its term commits (errata)")
    void errataSecondChangeWaitsForTermCommit() {
        errata(Set.of());
    }

    @Test
    @DisplayName("28: a leader that changes the configuration before committing an entry of its term is caught (COMPLETE)")
    void errataBreachIsCaught() {
        assertThatThrownBy(() -> errata(Set.of(RuleBreach.CONFIGURATION_CHANGE_BEFORE_TERM_COMMIT)))
                .isInstanceOfSatisfying(InvariantViolation.class, v -> assertThat(v.invariant()).isEqualTo("COMPLETE"));
    }

    // ---- RELIABILITY 29

    @Test
    @DisplayName("29: a leader cut off (with the node it adds) cannot commit the change; the majority side makes it")
    void membershipChangeWhileTheLeaderIsPartitionedAway() {
        SimCluster c = SimCluster.builder().seed(29).nodeCount(3).spares("n4").settings(settings(true, true)).build();
        c.start();
        String stale = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "before", 20);
        List<String> majority = Scenarios.others(c, stale).stream().filter(id -> !id.equals("n4")).toList();
        // The leader, cut off with the node to add, starts adding it: the learner configuration reaches n4 only.
        c.network().partition(List.of(stale, "n4"), majority);
        CompletionStage<ConfigurationResult> cutOff = c.addVoter(stale, "n4");
        assertThat(c.runUntil(() -> c.configuration("n4") != null && c.configuration("n4").isMember("n4"), seconds(1)))
                .as("n4 got the cut-off leader's learner configuration").isTrue();
        // Clients keep writing to whoever leads: the majority elects a leader, the cut-off one steps down.
        write(c, "split", 150);
        String leader = c.leader();
        assertThat(leader).isIn(majority);
        assertThat(c.status(stale).role()).isNotEqualTo(Role.LEADER);
        ConfigurationResult first = await(c, cutOff, seconds(1));
        assertThat(first).as("appended, never committed").isInstanceOfAny(ConfigurationResult.Indeterminate.class,
                ConfigurationResult.NotLeader.class);
        assertThat(c.status(leader).learners()).as("the new leader never saw it").isEmpty();
        // n4 joins the majority side; the new leader adds it (its entries from the old leader are replaced).
        c.network().heal();
        c.network().partition(List.of(stale), List.of(majority.get(0), majority.get(1), "n4"));
        ConfigurationResult added = awaitUnderLoad(c, c.addVoter(leader, "n4"), seconds(10), "adding");
        assertThat(added).isInstanceOf(ConfigurationResult.Done.class);
        assertThat(c.status(leader).voters()).containsExactlyInAnyOrder("n1", "n2", "n3", "n4");
        // The old leader comes back: its uncommitted tail is replaced, and it is a voter of the four.
        c.network().heal();
        write(c, "after", 30);
        commitOne(c, "healed", seconds(10));
        assertConverged(c);
        assertThat(c.status(stale).voters()).containsExactlyInAnyOrder("n1", "n2", "n3", "n4");
    }

    /**
     * A configuration is in force from the moment it is appended, and a truncation of it reverts to the one before:
     * a leader cut off from the majority (CheckQuorum off, so it leads on) appends a learner and new settings that
     * never commit; the majority's leader writes on; back, the old leader's entries are replaced and its members
     * and settings are the committed ones again.
     */
    @Test
    @DisplayName("an uncommitted configuration (members and settings) is in force when appended, reverted when truncated")
    void uncommittedConfigurationRevertsWhenTruncated() {
        ClusterSettings before = settings(false, false);
        SimCluster c = SimCluster.builder().seed(77).nodeCount(3).spares("n4").settings(before).build();
        c.start();
        String stale = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "before", 10);
        List<String> majority = Scenarios.others(c, stale);
        c.network().partition(List.of(stale), List.of(majority.get(0), majority.get(1), "n4"));
        CompletionStage<ConfigurationResult> learner = c.addLearner(stale, "n4");
        assertThat(c.runUntil(() -> c.status(stale).learners().contains("n4"), seconds(1)))
                .as("in force on the old leader once appended").isTrue();
        assertThat(learner.toCompletableFuture()).as("never committed").isNotDone();
        ClusterSettings flipped = before.withPreVote(true);
        c.runFor(seconds(1));
        write(c, "majority", 20); // the majority elects one of its own and writes on
        String leader = c.leader();
        assertThat(leader).isIn(majority);
        c.network().heal();
        commitOne(c, "healed", seconds(10));
        assertThat(c.runUntil(() -> c.status(stale).learners().isEmpty(), seconds(5)))
                .as("the truncated learner configuration is no longer in force").isTrue();
        assertThat(c.configuration(stale).settings()).isEqualTo(before);
        // Now a settings change that never commits, then is truncated the same way.
        String old = c.leader();
        List<String> others = Scenarios.others(c, old).stream().filter(id -> !id.equals("n4")).toList();
        c.network().partition(List.of(old), List.of(others.get(0), others.get(1), "n4"));
        CompletionStage<ConfigurationResult> change = c.updateSettings(old, flipped);
        assertThat(c.runUntil(() -> c.configuration(old).settings().equals(flipped), seconds(1)))
                .as("the new settings are in force on the old leader once appended").isTrue();
        c.runFor(seconds(1));
        write(c, "majority-again", 20);
        c.network().heal();
        commitOne(c, "healed-again", seconds(10));
        assertThat(c.runUntil(() -> c.configuration(old).settings().equals(before), seconds(5)))
                .as("the truncated settings are reverted").isTrue();
        assertThat(await(c, change, seconds(5))).isNotInstanceOf(ConfigurationResult.Done.class);
        assertThat(await(c, learner, seconds(5))).isNotInstanceOf(ConfigurationResult.Done.class);
        assertConverged(c);
    }

    // ---- RELIABILITY 30

    @ParameterizedTest(name = "under load: {0}")
    @CsvSource({"false", "true"})
    @DisplayName("30: the leader removes itself: it commits without counting itself, steps down, hands over, and stays out")
    void removingTheLeader(boolean underLoad) {
        SimCluster c = SimCluster.builder().seed(30).nodeCount(3).settings(settings(true, true)).build();
        c.start();
        String old = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "before", 20);
        CompletionStage<ConfigurationResult> removal = c.removeMember(old, old);
        ConfigurationResult r = underLoad ? awaitUnderLoad(c, removal, seconds(5), "removing")
                : await(c, removal, seconds(5));
        assertThat(r).isInstanceOf(ConfigurationResult.Done.class);
        assertThat(ids(((ConfigurationResult.Done) r).configuration().voters())).doesNotContain(old).hasSize(2);
        long removedAt = c.now();
        assertThat(c.runUntil(() -> c.leader() != null && !c.leader().equals(old), seconds(2))).isTrue();
        // Its log complete, a follower got TimeoutNow from the removed leader, and took over at once; under load too,
        // as the leaving leader answers new commands Retry, so its log stops growing and a follower catches up.
        assertThat(c.now() - removedAt).as("handed over with TimeoutNow, before any election timer fires")
                .isLessThan(Duration.ofMillis(c.settings().electionTimeoutMinMillis()).toNanos());
        String leader = c.leader();
        long term = c.status(leader).term();
        assertThat(c.status(old).role()).isEqualTo(Role.FOLLOWER);
        assertThat(c.status(old).isVoter()).isFalse();
        // The removed node keeps running; for many election timeouts, under load, nothing changes: no election, no
        // campaign of its own, the same leader and term.
        long oldTerm = c.status(old).term();
        write(c, "after", 300);
        assertThat(c.leader()).isEqualTo(leader);
        assertThat(c.status(leader).term()).isEqualTo(term);
        assertThat(c.invariants().leaders().keySet().stream().mapToLong(Long::longValue).max().orElseThrow())
                .isEqualTo(term);
        assertThat(c.status(old).term()).as("the removed node never campaigns").isEqualTo(oldTerm);
        // The other two commit on their own: a commit needs both of them now.
        commitOne(c, "two", seconds(5));
        assertConverged(c);
    }

    /**
     * RELIABILITY 30 where counting the removed leader loses a write. Four voters L, G, H, F; L removes itself, so
     * the new configuration is {G, H, F}, two of which make a majority. F hears nothing from L; H gets the removal
     * R, then is cut off before the write W after it arrives; L's own storage is slow (R and W become durable on L
     * in one write, after G has both). An honest L commits
     * nothing (only G of {G, H, F} has R and W). An L that counts itself commits R and W with G once its own write is
     * durable, acknowledges W and steps down. Then G, the only voter holding W, crashes; H (which has R, so its
     * configuration is {G, H, F}) and F elect H, which puts its own entry at W's index: an acknowledged write lost.
     * DURABLE's majority check catches W held by one of three voters as soon as it is acknowledged; without it,
     * the loss itself is caught when H's entry commits over W (COMPLETE, then DURABLE).
     */
    static void removedLeaderLosesAWrite(Set<RuleBreach> breaches, boolean majorityCheck) {
        boolean honest = breaches.isEmpty();
        SimCluster c = SimCluster.builder().seed(300).nodeCount(4).settings(settings(true, false))
                .breakingRules(breaches).build();
        c.invariants().setMajorityCheck(majorityCheck);
        c.start();
        String l = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "before", 10);
        assertThat(c.runUntil(() -> c.nodeIds().stream().allMatch(id -> lastIndex(c, id) == lastIndex(c, l)),
                seconds(2))).isTrue();
        List<String> rest = Scenarios.others(c, l);
        String g = rest.get(0);
        String h = rest.get(1);
        String f = rest.get(2);
        c.network().cut(l, f);
        // L's storage is slow, and busy with X when R and W come: they are made durable together, once G has both.
        c.setStorageDelay(l, Duration.ofMillis(100), Duration.ofMillis(100));
        c.submit(l, bytes("x"));
        CompletionStage<ConfigurationResult> removal = c.removeMember(l, l);
        assertThat(c.runUntil(() -> !c.status(l).voters().contains(l), seconds(1))).as("R appended").isTrue();
        long k = lastIndex(c, l);
        assertThat(c.runUntil(() -> lastIndex(c, h) >= k, seconds(1))).isTrue();
        c.network().cut(l, h); // before H's answer reaches L
        CompletableFuture<CommandResult> w = c.submit(l, bytes("w")).toCompletableFuture();
        boolean answered = c.runUntil(w::isDone, seconds(2));
        if (honest) {
            // R cannot commit without H or F; L leads until H, cut off from it, is elected by H and F.
            assertThat(removal.toCompletableFuture().getNow(null)).satisfiesAnyOf(res -> assertThat(res).isNull(),
                    res -> assertThat(res.isDone()).isFalse());
            assertThat(w.getNow(null)).satisfiesAnyOf(res -> assertThat(res).isNull(),
                    res -> assertThat(res.isOk()).isFalse());
        } else {
            assertThat(answered).isTrue();
            assertThat(c.status(l).role()).as("L stepped down at the commit of R").isEqualTo(Role.FOLLOWER);
            assertThat(w.getNow(null)).as("W acknowledged").isInstanceOf(CommandResult.Ok.class);
        }
        assertThat(lastIndex(c, h)).as("H has R").isGreaterThanOrEqualTo(k);
        assertThat(Scenarios.occurrences(c, h, bytes("w"))).as("H has not W").isZero();
        c.crash(g);
        assertThat(c.runUntil(() -> h.equals(c.leader()), seconds(5))).as("H and F elect H").isTrue();
        commitOne(c, "after", seconds(5));
        // Honest: W was never acknowledged; it is gone with G's copy once G is back.
        c.restart(g);
        c.network().heal();
        commitOne(c, "healed", seconds(5));
        assertThat(w.getNow(null)).satisfiesAnyOf(res -> assertThat(res).isNull(),
                res -> assertThat(res.isOk()).isFalse());
        assertConverged(c);
        assertThat(c.status(c.leader()).voters()).containsExactlyInAnyOrder(g, h, f);
    }

    @Test
    @DisplayName("30: four voters, the leader removed while one voter lags and one is cut off: nothing acknowledged is lost")
    void removedLeaderDoesNotCountItself() {
        removedLeaderLosesAWrite(Set.of(), true);
    }

    @Test
    @DisplayName("30: a removed leader that counts itself acknowledges a write held by too few voters (DURABLE)")
    void removedLeaderCountingItselfIsCaughtByTheMajorityCheck() {
        assertThatThrownBy(() -> removedLeaderLosesAWrite(Set.of(RuleBreach.REMOVED_LEADER_COUNTS_ITSELF), true))
                .isInstanceOfSatisfying(InvariantViolation.class, v -> {
                    assertThat(v.invariant()).isEqualTo("DURABLE");
                    assertThat(v.getMessage()).contains("only 1 of 3 voters");
                });
    }

    @Test
    @DisplayName("30: ... and the write is then really lost when another voter leads (COMPLETE, DURABLE)")
    void removedLeaderCountingItselfLosesTheWrite() {
        assertThatThrownBy(() -> removedLeaderLosesAWrite(Set.of(RuleBreach.REMOVED_LEADER_COUNTS_ITSELF), false))
                .isInstanceOfSatisfying(InvariantViolation.class,
                        v -> assertThat(v.invariant()).isIn("COMPLETE", "DURABLE"));
    }

    /**
     * Two voters L and A; L removes itself, and crashes before A has the removal. Restarted, L holds the longest log
     * and a configuration without itself; A, in the old configuration, needs L's vote, which L refuses to a shorter
     * log. Found by the V7 sweep (seed 4675): no leader ever, until a voter of the committed configuration whose
     * removal is pending may campaign. Elected by A (the majority of the new configuration), L commits its removal
     * and steps down; A leads alone.
     */
    @ParameterizedTest(name = "preVote={0}")
    @CsvSource({"true", "false"})
    @DisplayName("30: a leader that removed itself and restarted before the commit finishes its removal (no deadlock)")
    void removedLeaderRestartedBeforeTheCommit(boolean preVote) {
        SimCluster c = SimCluster.builder().seed(301).nodes("n1", "n2").settings(settings(preVote, true)).build();
        c.start();
        String l = Scenarios.awaitSettledLeader(c, seconds(10));
        String a = Scenarios.others(c, l).get(0);
        write(c, "before", 10);
        c.network().cut(l, a);
        c.removeMember(l, l);
        long k = lastIndex(c, l) + 1;
        assertThat(c.runUntil(() -> c.status(l).durableIndex() >= k, seconds(1))).isTrue();
        assertThat(c.configuration(l).isMember(l)).as("L's log removes it").isFalse();
        c.crash(l);
        c.network().heal();
        c.restart(l);
        commitOne(c, "after", seconds(10));
        assertThat(c.runUntil(() -> a.equals(c.leader()), seconds(2))).as("A leads").isTrue();
        CommandResult.Ok ok = commitOne(c, "alone", seconds(5));
        assertThat(c.status(a).voters()).containsExactly(a);
        assertThat(c.status(a).commitIndex()).isGreaterThanOrEqualTo(k);
        assertThat(ok.index()).isGreaterThan(k);
        assertThat(c.status(l).isVoter()).isFalse();
        assertConverged(c);
    }

    @ParameterizedTest(name = "preVote={0}, checkQuorum={1}")
    @CsvSource({"true, true", "false, false"})
    @DisplayName("a follower removed while cut off campaigns when back: refused and counted, no disruption")
    void removedFollowerCampaignsInVain(boolean preVote, boolean checkQuorum) {
        SimCluster c = SimCluster.builder().seed(40).nodeCount(3).settings(settings(preVote, checkQuorum)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        String removed = Scenarios.others(c, leader).get(0);
        String other = Scenarios.others(c, leader).get(1);
        c.network().isolate(removed);
        assertThat(await(c, c.removeMember(leader, removed), seconds(5))).isInstanceOf(ConfigurationResult.Done.class);
        write(c, "without", 20);
        long term = c.status(leader).term();
        long refusedBefore = c.node(leader).refusedMessages() + c.node(other).refusedMessages();
        c.runFor(seconds(2)); // it campaigns while cut off (its term grows without PreVote)
        c.network().heal();
        write(c, "back", 300);
        assertThat(c.leader()).isEqualTo(leader);
        assertThat(c.status(leader).term()).as("no disruption").isEqualTo(term);
        assertThat(c.node(leader).refusedMessages() + c.node(other).refusedMessages()).as("its messages refused")
                .isGreaterThan(refusedBefore);
        assertThat(c.status(removed).role()).isNotEqualTo(Role.LEADER);
        assertThat(c.status(removed).voters()).as("it never learned of its removal").contains(removed);
        assertThat(c.invariants().leaders()).doesNotContainValue(removed);
        commitOne(c, "still", seconds(5));
        assertConverged(c);
    }

    // ---- RELIABILITY 31

    @Test
    @DisplayName("31: a node added through a snapshot while the leader crashes mid-transfer; then four voters (even)")
    void addingANodeThatNeedsASnapshotWhileTheLeaderCrashes() {
        SimCluster c = SimCluster.builder().seed(31).nodeCount(3).spares("n4").settings(settings(true, true))
                .configure(cfg -> cfg.withSnapshots(new SnapshotPolicy(40, 0, 10, 64))).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "before", 200);
        c.runFor(seconds(1));
        assertThat(c.log(leader).firstIndex()).as("compacted: n4 needs the snapshot").isGreaterThan(1);
        AtomicInteger chunks = new AtomicInteger();
        c.network().addSendListener(m -> {
            if (m instanceof InstallSnapshot is && is.to().equals("n4")) {
                chunks.incrementAndGet();
            }
        });
        CompletionStage<ConfigurationResult> first = c.addVoter(leader, "n4");
        assertThat(c.runUntil(() -> chunks.get() >= 3, seconds(5))).as("the transfer started").isTrue();
        assertThat(c.node("n4").snapshotsInstalled()).as("and is not over").isZero();
        c.crash(leader);
        String next = c.awaitLeader(seconds(10));
        assertThat(next).isNotNull().isNotEqualTo(leader);
        assertThat(first.toCompletableFuture().getNow(null)).as("the crashed leader never finished it")
                .satisfiesAnyOf(res -> assertThat(res).isNull(), res -> assertThat(res.isDone()).isFalse());
        assertThat(c.status(next).learners()).as("the learner configuration was committed").containsExactly("n4");
        ConfigurationResult added = awaitUnderLoad(c, c.addVoter(next, "n4"), seconds(20), "again");
        assertThat(added).isInstanceOf(ConfigurationResult.Done.class);
        assertThat(c.node("n4").snapshotsInstalled()).isGreaterThanOrEqualTo(1);
        c.restart(leader);
        write(c, "four", 50);
        // Four voters: one down still commits.
        String now = c.leader();
        c.crash(Scenarios.others(c, now).get(0));
        commitOne(c, "three-of-four", seconds(5));
        c.restart(Scenarios.others(c, now).get(0));
        assertConverged(c);
        assertThat(c.status(c.leader()).voters()).containsExactlyInAnyOrder("n1", "n2", "n3", "n4");
    }

    // ---- RELIABILITY 6

    @Test
    @DisplayName("6: PreVote turned on through the log during a rolling restart, with a node on the old settings: LIVE")
    void preVoteTurnedOnThroughTheLog() {
        SimCluster c = SimCluster.builder().seed(6).nodeCount(3).settings(settings(false, true)).build();
        c.start();
        String leader = Scenarios.awaitSettledLeader(c, seconds(10));
        write(c, "before", 10);
        List<String> followers = Scenarios.others(c, leader);
        String away = followers.get(0);
        String rolling = followers.get(1);
        // One follower is cut off: it misses the change and keeps campaigning the old way.
        c.network().isolate(away);
        ClusterSettings on = c.settings().withPreVote(true);
        assertThat(awaitUnderLoad(c, c.updateSettings(leader, on), seconds(5), "change"))
                .isInstanceOf(ConfigurationResult.Done.class);
        assertThat(c.configuration(leader).settings().preVote()).isTrue();
        long termAway = c.status(away).term();
        c.runFor(seconds(3));
        assertThat(c.configuration(away).settings().preVote()).as("mixed settings").isFalse();
        assertThat(c.status(away).term()).as("without PreVote its term grows").isGreaterThan(termAway);
        // Back: whatever its inflated term does, a leader commits within the LIVE bound, and it gets the settings.
        c.network().heal();
        commitOne(c, "back", seconds(10));
        assertThat(c.runUntil(() -> c.configuration(away).settings().preVote(), seconds(5))).isTrue();
        // The rolling restart goes on, one node at a time, commits continuing.
        for (String id : List.of(rolling, away, c.leader())) {
            c.crash(id);
            commitOne(c, "rolling-" + id, seconds(10));
            c.restart(id);
            commitOne(c, "back-" + id, seconds(10));
        }
        assertThat(c.settingsChangesDone()).isEqualTo(1);
        // Now with PreVote everywhere: a follower cut off no longer inflates its term, and rejoins quietly.
        String now = c.leader();
        String cutOff = Scenarios.others(c, now).get(0);
        long term = c.status(now).term();
        c.network().isolate(cutOff);
        c.runFor(seconds(3));
        assertThat(c.status(cutOff).term()).isLessThanOrEqualTo(term);
        c.network().heal();
        write(c, "quiet", 100);
        assertThat(c.leader()).isEqualTo(now);
        assertThat(c.status(now).term()).isEqualTo(term);
        for (String id : c.nodeIds()) {
            assertThat(c.configuration(id).settings().preVote()).as(id).isTrue();
        }
        assertConverged(c);
    }

    // ---- a second bootstrap

    @Test
    @DisplayName("two nodes told to bootstrap: two incarnations that refuse each other's messages; logs never mix")
    void aSecondBootstrappingNodeIsRefused() {
        SimCluster c = SimCluster.builder().seed(21).nodeCount(3).bootstrappers("n2").settings(settings(true, true))
                .build();
        c.start();
        write(c, "load", 300);
        commitOne(c, "one", seconds(10));
        String leader = c.leader();
        long ours = c.clusterIncarnation(leader);
        assertThat(c.clusterIncarnation("n1")).isNotZero().isNotEqualTo(c.clusterIncarnation("n2"));
        long refused = 0;
        for (String id : c.nodeIds()) {
            refused += c.node(id).foreignIncarnationRefused();
            Set<Long> incarnations = new HashSet<>();
            for (LogEntry e : c.logEntries(id)) {
                if (e.type() == EntryType.CONFIGURATION) {
                    incarnations.add(ConfigurationCodec.decode(e.data()).incarnation());
                }
            }
            assertThat(incarnations).as("%s's log holds one incarnation", id).hasSize(1);
            assertThat(incarnations).containsExactly(c.clusterIncarnation(id));
        }
        assertThat(refused).as("messages refused across incarnations").isPositive();
        List<String> winners = c.nodeIds().stream().filter(id -> c.clusterIncarnation(id) == ours).toList();
        List<String> losers = c.nodeIds().stream().filter(id -> c.clusterIncarnation(id) != ours).toList();
        assertThat(winners).hasSize(2);
        assertThat(losers).hasSize(1).allSatisfy(id -> {
            assertThat(id).isIn("n1", "n2");
            assertThat(c.status(id).commitIndex()).as("a lone bootstrapper commits nothing").isZero();
            assertThat(c.stateMachine(id).lastApplied()).isZero();
            assertThat(c.logEntries(id)).hasSize(1);
        });
        assertThat(c.runUntil(() -> c.status(winners.get(0)).appliedIndex() == c.status(winners.get(1)).appliedIndex(),
                seconds(5))).isTrue();
        assertThat(c.stateMachine(winners.get(0)).values()).isEqualTo(c.stateMachine(winners.get(1)).values());
        assertThat(c.readViolations()).isEmpty();
        CheckResult lin = LogLinearizability.check(c.history(), 2_000_000);
        assertThat(lin.isLinearizable()).as(lin.toString()).isTrue();
    }
}
