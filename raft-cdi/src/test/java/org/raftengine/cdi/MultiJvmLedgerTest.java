package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.raftengine.cdi.LedgerCluster.ACCOUNTS;
import static org.raftengine.cdi.LedgerCluster.ANSWER;
import static org.raftengine.cdi.LedgerCluster.BOOT;
import static org.raftengine.cdi.LedgerCluster.INITIAL;
import static org.raftengine.cdi.LedgerCluster.NODES;
import static org.raftengine.cdi.LedgerCluster.SETTLE;
import static org.raftengine.cdi.LedgerCluster.ms;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger application on a three-node cluster of JVMs ({@link LedgerNodeMain}), each with its own H2 database,
 * talking through an embedded Artemis over TCP. Deposits and tracked transfers go in through every node (followers
 * forward), and every node ends up with the same ledger, the one the acknowledged commands make. Then the leader
 * is SIGKILLed while clients keep moving money, and restarted on its database: it catches up, the three ledgers are
 * identical again, the total is what the deposits made, and each transfer was applied exactly once if acknowledged
 * (at most once if not), which the per-transfer counts show and the balances confirm.
 *
 * <p>Clients are sequential, one {@link org.raftengine.core.ClientSession} each: a transfer whose answer is lost
 * (its node died, or the answer was Indeterminate) is re-sent under its sequence through another node.
 */
class MultiJvmLedgerTest {
    private static final int CLIENTS = 3;

    // The leader dies while transfers run: one given up on is unacknowledged (applied at most once), not a failure.
    private final LedgerCluster cluster = new LedgerCluster("ledger", CLIENTS, false, Map.of());

    @AfterEach
    void end() {
        cluster.close();
    }

    @Test
    void threeJvmsKeepOneLedgerThroughTheLeadersKill() throws Exception {
        long t0 = System.nanoTime();
        cluster.start();
        int firstLeader = cluster.awaitLeader();
        long booted = System.nanoTime();

        for (int k = 0; k < ACCOUNTS.size(); k++) {
            // Plain RaftClient submissions, through each node in turn: followers forward.
            String answer = cluster.node(k % NODES.size())
                    .call("SUBMIT - 0 1 D " + ACCOUNTS.get(k) + " " + INITIAL, ANSWER);
            assertThat(answer).as("deposit into %s", ACCOUNTS.get(k)).startsWith("OK ").endsWith(" " + INITIAL);
        }
        long seed = new Random().nextLong();
        System.out.println("multi-JVM ledger test " + cluster.run + ", seed " + seed + ", first leader "
                + NODES.get(firstLeader));
        List<LedgerCluster.Client> clients = cluster.clients(seed);
        cluster.runAll(clients, 10, Duration.ofSeconds(120));
        assertThat(cluster.unacknowledged).as("transfers unacknowledged with every node up").isEmpty();
        Dump calm = cluster.checkLedgers("with every node up");
        long calmDone = System.nanoTime();

        List<Future<?>> running = cluster.runUntilStopped(clients);
        awaitAcks(cluster.acknowledged.size() + 10, Duration.ofSeconds(30));
        int killed = cluster.awaitLeader();
        cluster.node(killed).kill();
        long killedAt = System.nanoTime();
        int acksAtKill = cluster.acknowledged.size();
        // The two left elect a leader of their own and go on.
        awaitAcks(acksAtKill + 15, Duration.ofSeconds(60));

        cluster.startNode(killed, 2).awaitEvent("READY", BOOT);
        long restartedAt = System.nanoTime();
        int throughRestarted = cluster.acksThrough.get(killed);
        await("transfers acknowledged through the restarted " + NODES.get(killed)).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.acksThrough.get(killed) >= throughRestarted + 3 || !cluster.problems.isEmpty());
        cluster.stopClients();
        for (Future<?> f : running) {
            f.get(SETTLE.plus(ANSWER).toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(cluster.problems).as("what the clients ran into").isEmpty();
        Dump after = cluster.checkLedgers("after " + NODES.get(killed) + " was killed and restarted");
        assertThat(after.applied()).isGreaterThan(calm.applied());

        System.out.printf("%s: 3 JVMs booted in %d ms; %d deposits and %d transfers with every node up in %d ms;"
                        + " leader %s killed after %d acknowledged transfers, restarted in %d ms; %d transfers"
                        + " acknowledged (through n1..n3: %s), %d not, %d re-sent; applied index %d; total %d ms%n",
                cluster.run, ms(booted - t0), ACCOUNTS.size(), CLIENTS * 10, ms(calmDone - booted), NODES.get(killed),
                acksAtKill, ms(restartedAt - killedAt), cluster.acknowledged.size(), cluster.acksThrough,
                cluster.unacknowledged.size(), cluster.resent.size(), after.applied(), ms(System.nanoTime() - t0));
    }

    private void awaitAcks(int count, Duration limit) {
        await(count + " transfers acknowledged").atMost(limit).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.acknowledged.size() >= count || !cluster.problems.isEmpty());
        assertThat(cluster.problems).as("what the clients ran into").isEmpty();
    }
}
