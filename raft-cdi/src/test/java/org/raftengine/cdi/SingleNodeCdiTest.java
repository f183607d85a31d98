package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import com.arjuna.ats.jta.cdi.TransactionExtension;
import io.smallrye.config.inject.ConfigExtension;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;
import org.raftengine.core.ConfigurationResult;
import org.raftengine.core.ClusterSettings;
import java.util.List;
import org.raftengine.jpa.JpaAppliedState;
import org.raftengine.jpa.JpaRaftLog;
import org.raftengine.jpa.JpaTransactions;

/**
 * One node in Weld SE, as an application would have it: settings from MicroProfile Config, the log in the
 * application's persistence unit under Narayana JTA, committed commands applied by {@code @Committed} observers
 * in the transaction that records them.
 */
@EnableWeld
class SingleNodeCdiTest {

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(WeldInitiator.createWeld()
                    .addBeanClasses(RaftNodeProducer.class, RaftClient.class, CurrentCommand.class, Ledger.class,
                            TestPersistence.class, ClusterEventsRecorder.class)
                    .addExtensions(new ConfigExtension(), new TransactionExtension()))
            .activate(RequestScoped.class)
            .build();

    @Inject
    RaftNode node;
    @Inject
    RaftClient client;
    @Inject
    EntityManagerFactory emf;
    @Inject
    jakarta.transaction.TransactionManager tm;
    @Inject
    ClusterEventsRecorder clusterEvents;

    @BeforeAll
    static void settings() {
        System.setProperty("test.jdbc-url", "jdbc:h2:file:" + Path.of("target", "h2", "single-" + UUID.randomUUID())
                .toAbsolutePath() + JpaRaftLog.H2_DURABLE_URL_OPTIONS);
        System.setProperty("raft.node-id", "n1");
        System.setProperty("raft.members", "n1");
        System.setProperty("raft.bootstrap", "true");
        System.setProperty("raft.transport", "local");
    }

    @AfterAll
    static void clear() {
        for (String p : new String[] {"test.jdbc-url", "raft.node-id", "raft.members", "raft.bootstrap", "raft.transport"}) {
            System.clearProperty(p);
        }
    }

    @Test
    void committedCommandsReachTheObserversInTheTransactionThatRecordsThem() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.status().role() == Role.LEADER);

        CommandResult first = client.submit(new Deposit("alice", 100)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        CommandResult second = client.submit(new Deposit("alice", 20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        client.submit(new Deposit("bob", 5)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        CommandResult refused = client.submit(new Transfer("bob", "alice", 50)).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        CommandResult moved = client.submit(new Transfer("alice", "bob", 70)).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);

        assertThat(first).isInstanceOf(CommandResult.Ok.class);
        assertThat(new String(((CommandResult.Ok) second).result(), StandardCharsets.UTF_8))
                .as("the observer's result").isEqualTo("120");
        assertThat(refused).isInstanceOf(CommandResult.ApplicationError.class);
        assertThat(((CommandResult.ApplicationError) refused).message()).contains("balance 5");
        assertThat(moved).isInstanceOf(CommandResult.Ok.class);
        JpaTransactions tx = JpaTransactions.jta(emf, tm);
        assertThat(balance(tx, "alice")).isEqualTo(50);
        assertThat(balance(tx, "bob")).as("the refused transfer's debit was rolled back").isEqualTo(75);
        assertThat(new JpaAppliedState(tx, "default", "n1").lastApplied())
                .as("the applied index is recorded with the commands")
                .isEqualTo(((CommandResult.Ok) moved).index());
    }

    @Test
    void roleAndLeaderChangesAreCdiEvents() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.status().role() == Role.LEADER);

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(clusterEvents.seen())
                .contains(new RoleChanged("n1", Role.LEADER, node.status().term()),
                        new LeaderChanged("n1", "n1", node.status().term())));
    }

    @Test
    void membershipAndSettingsChangesAreCdiEvents() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.status().role() == Role.LEADER);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clusterEvents.seen().stream()
                .anyMatch(e -> e instanceof MembershipChanged m && m.voters().equals(List.of("n1"))));
        MembershipChanged first = (MembershipChanged) clusterEvents.seen().stream()
                .filter(e -> e instanceof MembershipChanged).findFirst().orElseThrow();
        assertThat(first.nodeId()).isEqualTo("n1");
        assertThat(first.learners()).isEmpty();
        ClusterSettings next = first.settings().withPreVote(!first.settings().preVote());

        ConfigurationResult r = node.updateSettings(next).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(r).isInstanceOf(ConfigurationResult.Done.class);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clusterEvents.seen().stream()
                .anyMatch(e -> e instanceof MembershipChanged m && m.settings().equals(next)
                        && m.index() == ((ConfigurationResult.Done) r).index()));
    }

    private static long balance(JpaTransactions tx, String id) {
        return tx.inTransaction(em -> em.find(Account.class, id).balance);
    }
}
