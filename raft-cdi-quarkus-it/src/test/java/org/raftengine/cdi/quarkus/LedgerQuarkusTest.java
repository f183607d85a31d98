package org.raftengine.cdi.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.raftengine.cdi.RaftClient;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;

/**
 * raft-cdi's jar in Quarkus: the node built by its producer from application.properties, on Quarkus's
 * persistence unit and Narayana, and the application's {@code @Committed} observers keeping the ledger in the
 * transaction that records each command as applied.
 */
@QuarkusTest
class LedgerQuarkusTest {

    @Inject
    RaftNode node;
    @Inject
    RaftClient client;
    @Inject
    EntityManager em;

    @Test
    void committedCommandsReachTheObserversInTheTransactionThatRecordsThem() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.status().role() == Role.LEADER);

        CommandResult first = submit(new Deposit("alice", 100));
        CommandResult second = submit(new Deposit("alice", 20));
        CommandResult bob = submit(new Deposit("bob", 5));
        CommandResult refused = submit(new Transfer("bob", "alice", 50));
        CommandResult moved = submit(new Transfer("alice", "bob", 70));

        assertThat(first).isInstanceOf(CommandResult.Ok.class);
        assertThat(bob).isInstanceOf(CommandResult.Ok.class);
        assertThat(second).isInstanceOf(CommandResult.Ok.class);
        assertThat(new String(((CommandResult.Ok) second).result(), StandardCharsets.UTF_8))
                .as("the result the observer set").isEqualTo("120");
        assertThat(refused).isInstanceOf(CommandResult.ApplicationError.class);
        assertThat(((CommandResult.ApplicationError) refused).message()).contains("balance 5");
        assertThat(moved).isInstanceOf(CommandResult.Ok.class);

        assertThat(balance("alice")).isEqualTo(50);
        assertThat(balance("bob")).as("the refused transfer's debit was rolled back").isEqualTo(75);
        long moveIndex = ((CommandResult.Ok) moved).index();
        assertThat(moveIndex).isGreaterThan(((CommandResult.Ok) first).index());
        assertThat(appliedIndex()).as("the applied index is recorded in raft_applied with the commands")
                .isEqualTo(moveIndex);
    }

    private CommandResult submit(Object command) throws Exception {
        return client.submit(command).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private long balance(String account) {
        return QuarkusTransaction.requiringNew().call(() -> em.find(Account.class, account).balance);
    }

    private long appliedIndex() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                        "SELECT applied_index FROM raft_applied WHERE cluster_id = 'default' AND node_id = 'n1'")
                .getSingleResult()).longValue());
    }
}
