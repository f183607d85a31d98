package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.raftengine.cdi.LedgerCluster.ACCOUNTS;
import static org.raftengine.cdi.LedgerCluster.ANSWER;
import static org.raftengine.cdi.LedgerCluster.BOOT;
import static org.raftengine.cdi.LedgerCluster.INITIAL;
import static org.raftengine.cdi.LedgerCluster.NODES;
import static org.raftengine.cdi.LedgerCluster.ms;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The application's snapshots across JVMs: three ledger nodes ({@link LedgerNodeMain} with {@link LedgerSnapshots})
 * snapshot every {@value #THRESHOLD} entries. A follower is SIGKILLed, the other two apply enough transfers to
 * snapshot and compact their logs past everything the follower holds, and the follower, restarted on its H2 file,
 * can only catch up through an InstallSnapshot: {@link RaftSnapshots#restore} replaces its stale ledger. Then the
 * three ledgers are identical, the total is unchanged, every transfer was applied exactly once, and the restarted
 * node's {@code raft_applied} is its applied index.
 */
class SnapshotCatchUpTest {
    private static final int THRESHOLD = 50;
    private static final int CLIENTS = 2;
    private static final int WHILE_AWAY = 300;
    private static final Duration RUN_ALL = Duration.ofSeconds(300);

    // No node dies while transfers run here (the follower is dead before they start): a transfer given up on, or
    // refused, is a failure of the test.
    private final LedgerCluster cluster = new LedgerCluster("snapshot", CLIENTS, true, Map.of(
            "raft.snapshot.threshold-entries", Integer.toString(THRESHOLD),
            LedgerNodeMain.SNAPSHOTS, "true"));

    @AfterEach
    void end() {
        cluster.close();
    }

    @Test
    void aFollowerBehindTheCompactedLogsCatchesUpThroughTheApplicationsSnapshot() throws Exception {
        long t0 = System.nanoTime();
        cluster.start();
        int leader = cluster.awaitLeader();
        long booted = System.nanoTime();
        for (int k = 0; k < ACCOUNTS.size(); k++) {
            assertThat(cluster.node(leader).call("SUBMIT - 0 1 D " + ACCOUNTS.get(k) + " " + INITIAL, ANSWER))
                    .as("deposit into %s", ACCOUNTS.get(k)).startsWith("OK ");
        }
        long seed = new Random().nextLong();
        System.out.println("snapshot catch-up test " + cluster.run + ", seed " + seed);
        List<LedgerCluster.Client> clients = cluster.clients(seed);
        // Some transfers everywhere first, so the follower has a ledger of its own that the snapshot must replace.
        cluster.runAll(clients, 10, RUN_ALL);
        cluster.checkLedgers("with every node up");

        int away = (leader + 1) % NODES.size();
        cluster.node(away).kill();
        long killedAt = System.nanoTime();
        // The follower's log ends at or before the last index the others held once it was dead.
        long awayLast = 0;
        for (int i = 0; i < NODES.size(); i++) {
            if (i != away) {
                awayLast = Math.max(awayLast, cluster.status(i).last());
            }
        }
        cluster.runAll(clients, WHILE_AWAY / CLIENTS, RUN_ALL);
        long compactFrom = awayLast;
        await("the two running nodes compact their logs past index " + compactFrom + ", the dead follower's last")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (int i = 0; i < NODES.size(); i++) {
                        if (i != away && cluster.status(i).first() <= compactFrom + 1) {
                            return false;
                        }
                    }
                    return true;
                });
        // Snapshots on demand where the others stand, so the one the follower gets covers every entry: nothing is
        // applied after it, and raft_applied can only be at its index through the restore's own record.
        long snapshotted = 0;
        for (int i = 0; i < NODES.size(); i++) {
            if (i != away) {
                String answer = cluster.node(i).call("SNAPSHOT", ANSWER);
                assertThat(answer).as("a snapshot on demand on %s", NODES.get(i)).startsWith("SNAPSHOT ");
                snapshotted = Math.max(snapshotted, Long.parseLong(answer.split(" ")[1]));
            }
        }
        long compactedAt = System.nanoTime();

        cluster.startNode(away, 2).awaitEvent("READY", BOOT);
        long installed = await("node " + NODES.get(away) + " installs a snapshot").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).ignoreException(LedgerNodeProcess.NoAnswer.class)
                .until(() -> cluster.status(away).installed(), n -> n >= 1);
        long caughtUpAt = System.nanoTime();
        long installedAt = snapshotted;
        // Equal at once, unless an entry came after the snapshot (a new leader's first): then raft_applied follows.
        await("node " + NODES.get(away) + " restored to index " + installedAt + ", in raft_applied too")
                .atMost(ANSWER).pollInterval(Duration.ofMillis(100)).until(() -> {
                    long applied = cluster.status(away).applied();
                    return applied >= installedAt
                            && Dump.parse(cluster.node(away).call("LEDGER", ANSWER)).applied() == applied;
                });
        // Transfers through every node again, the restarted one too: it serves from the restored ledger.
        cluster.runAll(clients, 5, RUN_ALL);

        Dump after = cluster.checkLedgers("after " + NODES.get(away) + " caught up from a snapshot");
        LedgerCluster.Status back = await("node " + NODES.get(away)
                + "'s applied index, as the engine and raft_applied tell it")
                .atMost(ANSWER).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.status(away), s -> s.applied() == after.applied());
        assertThat(back.snapshot()).as("the restarted node's snapshot is past what it held before")
                .isGreaterThan(compactFrom);
        assertThat(back.installed()).as("snapshots installed by the restarted node").isGreaterThanOrEqualTo(1);
        assertThat(cluster.acknowledged).as("every transfer acknowledged").hasSameSizeAs(cluster.moves);

        System.out.printf("%s: 3 JVMs booted in %d ms; %s killed at index %d; %d transfers and the compaction past"
                        + " it in %d ms; restart and InstallSnapshot (%d) in %d ms; %d transfers, applied index %d,"
                        + " snapshot index %d on %s; total %d ms%n",
                cluster.run, ms(booted - t0), NODES.get(away), compactFrom, WHILE_AWAY, ms(compactedAt - killedAt),
                installed, ms(caughtUpAt - compactedAt), cluster.acknowledged.size(), after.applied(), back.snapshot(),
                NODES.get(away), ms(System.nanoTime() - t0));
    }
}
