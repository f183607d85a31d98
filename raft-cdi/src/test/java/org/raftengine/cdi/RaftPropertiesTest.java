package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterSettings;

/** Every wrong setting fails with a message naming its property. */
class RaftPropertiesTest {

    private static Config config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(m, "test", 500)).build();
    }

    private static void failsNaming(String property, String detail, String... keyValues) {
        assertThatThrownBy(() -> RaftProperties.from(config(keyValues)))
                .isInstanceOf(RaftConfigurationException.class)
                .hasMessageStartingWith(property + ": ")
                .hasMessageContaining(detail)
                .satisfies(e -> assertThat(((RaftConfigurationException) e).property()).isEqualTo(property));
    }

    @Test
    void aCompleteConfigurationIsRead() {
        RaftProperties p = RaftProperties.from(config("raft.node-id", "n2", "raft.members", "n1, n2 ,n3",
                "raft.cluster-id", "orders", "raft.check-quorum", "false", "raft.heartbeat-ms", "50",
                "raft.election-timeout-min-ms", "500", "raft.election-timeout-max-ms", "900", "raft.log", "memory",
                "raft.transport", "JMS", "raft.jms.queue-prefix", "q.", "raft.snapshot.threshold-entries", "1000"));

        assertThat(p.members()).containsExactly("n1", "n2", "n3");
        assertThat(p.cluster()).isEqualTo("orders");
        assertThat(p.bootstrap()).isFalse();
        assertThat(p.settings().checkQuorum()).isFalse();
        assertThat(p.settings().preVote()).isEqualTo(ClusterSettings.DEFAULTS.preVote());
        assertThat(p.settings().heartbeatMillis()).isEqualTo(50);
        assertThat(p.log()).isEqualTo(RaftProperties.LogKind.MEMORY);
        assertThat(p.transport()).isEqualTo(RaftProperties.TransportKind.JMS);
        assertThat(p.queuePrefix()).isEqualTo("q.");
        assertThat(p.snapshots().thresholdEntries()).isEqualTo(1000);
        assertThat(p.nodeConfig().bootstrap()).as("only a bootstrapping node carries the first configuration").isNull();
    }

    @Test
    void aBootstrappingNodeCarriesTheMembersAndSettings() {
        RaftProperties p = RaftProperties.from(config("raft.node-id", "n1", "raft.members", "n1,n2,n3",
                "raft.bootstrap", "true"));

        assertThat(p.nodeConfig().bootstrap().settings()).isEqualTo(ClusterSettings.DEFAULTS);
        assertThat(p.nodeConfig().bootstrap().toString()).contains("n1", "n2", "n3");
    }

    @Test
    void theNodeIdIsRequired() {
        failsNaming("raft.node-id", "is required", "raft.members", "n1");
    }

    @Test
    void theMembersAreRequired() {
        failsNaming("raft.members", "is required", "raft.node-id", "n1");
        failsNaming("raft.members", "names no member", "raft.node-id", "n1", "raft.members", " , ");
    }

    @Test
    void theNodeMustBeAMember() {
        failsNaming("raft.node-id", "'n4' is not among raft.members", "raft.node-id", "n4", "raft.members", "n1,n2");
    }

    @Test
    void leaseReadsAreABootstrapSettingThatNeedsCheckQuorum() {
        assertThat(RaftProperties.from(config("raft.node-id", "n1", "raft.members", "n1")).settings().leaseReads())
                .isFalse();
        assertThat(RaftProperties.from(config("raft.node-id", "n1", "raft.members", "n1", "raft.lease-reads", "true"))
                .settings().leaseReads()).isTrue();
        failsNaming("raft.lease-reads", "needs raft.check-quorum=true", "raft.node-id", "n1", "raft.members", "n1",
                "raft.lease-reads", "true", "raft.check-quorum", "false");
    }

    @Test
    void theCommandCodecIsAutoUnlessNamedAndAnUnknownOneIsNamed() {
        assertThat(RaftProperties.codecKind(config())).isEqualTo(RaftProperties.CodecKind.AUTO);
        assertThat(RaftProperties.codecKind(config("raft.command-codec", " Jackson ")))
                .isEqualTo(RaftProperties.CodecKind.JACKSON);
        failsNaming("raft.command-codec", "unknown value 'xml'", "raft.node-id", "n1", "raft.members", "n1",
                "raft.command-codec", "xml");
    }

    @Test
    void brokerCredentialsAreOptionalAndThePasswordIsNeverShown() {
        assertThat(RaftProperties.jmsCredentials(config())).as("the factory's own credentials").isNull();
        RaftProperties.JmsCredentials c = RaftProperties.jmsCredentials(config("raft.jms.user", " raft ",
                "raft.jms.password", "s3cret-broker-password"));
        assertThat(c.user()).isEqualTo("raft");
        assertThat(c.password()).isEqualTo("s3cret-broker-password");
        assertThat(c.toString()).contains("raft").doesNotContain("s3cret");
        failsNaming("raft.jms.password", "without raft.jms.user", "raft.node-id", "n1", "raft.members", "n1",
                "raft.jms.password", "s3cret-broker-password");
    }

    @Test
    void anUnknownLogOrTransportKindIsNamed() {
        failsNaming("raft.log", "unknown value 'files'", "raft.node-id", "n1", "raft.members", "n1",
                "raft.log", "files");
        failsNaming("raft.transport", "unknown value 'smoke-signals'", "raft.node-id", "n1", "raft.members", "n1",
                "raft.transport", "smoke-signals");
    }

    @Test
    void theTransportMayBeANamedBeanOfTheApplications() {
        RaftProperties p = RaftProperties.from(config("raft.node-id", "n1", "raft.members", "n1,n2",
                "raft.transport", " http "), name -> name.equals("http"));
        assertThat(p.transport()).isEqualTo(RaftProperties.TransportKind.BEAN);
        assertThat(p.transportBean()).isEqualTo("http");
        RaftProperties jms = RaftProperties.from(config("raft.node-id", "n1", "raft.members", "n1",
                "raft.transport", "jms"), name -> true);
        assertThat(jms.transport()).as("a kind of the library's comes first").isEqualTo(RaftProperties.TransportKind.JMS);
        assertThat(jms.transportBean()).isNull();
        assertThatThrownBy(() -> RaftProperties.from(config("raft.node-id", "n1", "raft.members", "n1",
                "raft.transport", "pigeons"), name -> name.equals("http")))
                .isInstanceOf(RaftConfigurationException.class).hasMessageContaining("unknown value 'pigeons'");
    }

    @Test
    void aLocalTransportCannotReachOtherMembers() {
        failsNaming("raft.transport", "local reaches no other JVM", "raft.node-id", "n1", "raft.members", "n1,n2",
                "raft.transport", "local");
    }

    @Test
    void numbersAndSwitchesAreChecked() {
        failsNaming("raft.heartbeat-ms", "not a whole number", "raft.node-id", "n1", "raft.members", "n1",
                "raft.heartbeat-ms", "fast");
        failsNaming("raft.pre-vote", "must be true or false", "raft.node-id", "n1", "raft.members", "n1",
                "raft.pre-vote", "yes");
        failsNaming("raft.snapshot.threshold-entries", "must be positive", "raft.node-id", "n1", "raft.members", "n1",
                "raft.snapshot.threshold-entries", "0");
    }

    @Test
    void timeoutsThatCannotWorkTogetherAreRefused() {
        failsNaming("raft.heartbeat-ms/raft.election-timeout-*", "at least 3 heartbeats", "raft.node-id", "n1",
                "raft.members", "n1", "raft.heartbeat-ms", "500");
    }
}
