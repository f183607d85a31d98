package org.raftengine.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.wire.FrameAuthenticator;

class JmsTransportConfigTest {

    @Test
    void defaultsAreNonPersistentWithTheElectionTimeoutAsTimeToLive() {
        JmsTransportConfig c = JmsTransportConfig.of("n1", "orders");

        assertThat(c.persistent()).isFalse();
        assertThat(c.timeToLive()).isEqualTo(Duration.ofMillis(ClusterSettings.DEFAULTS.electionTimeoutMaxMillis()));
        assertThat(c.maxBufferedPerPeer()).isEqualTo(JmsTransportConfig.DEFAULT_MAX_BUFFERED_PER_PEER);
        assertThat(c.authenticator()).isNull();
        assertThat(c.username()).isNull();
    }

    @Test
    void namesOneQueuePerNodeFromPrefixClusterAndNode() {
        JmsTransportConfig c = JmsTransportConfig.of("n1", "orders").withQueuePrefix("app.raft.");

        assertThat(c.ownQueueName()).isEqualTo("app.raft.orders.n1");
        assertThat(c.queueName("n2")).isEqualTo("app.raft.orders.n2");
        assertThat(JmsTransportConfig.of("n1", "orders").ownQueueName()).isEqualTo("raft.orders.n1");
    }

    @Test
    void timeToLiveFollowsTheClusterSettingsWhenAsked() {
        ClusterSettings slow = ClusterSettings.DEFAULTS.withTimeouts(500, 5_000, 9_000);

        assertThat(JmsTransportConfig.of("n1", "c").withTimeToLiveFor(slow).timeToLive())
                .isEqualTo(Duration.ofSeconds(9));
        assertThat(JmsTransportConfig.of("n1", "c").withTimeToLive(Duration.ZERO).timeToLive()).isZero();
    }

    @Test
    void eachWithChangesItsOwnSettingsOnly() {
        JmsTransportConfig c = JmsTransportConfig.of("n1", "c");

        JmsTransportConfig d = c.withPersistent(true).withMaxBufferedPerPeer(7)
                .withReconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(2))
                .withOutageLogInterval(Duration.ofSeconds(3)).withMaxFrameBytes(99);

        assertThat(d).isEqualTo(new JmsTransportConfig("n1", "c", c.queuePrefix(), c.timeToLive(), true, 7,
                Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(3), null, 99, null, null));
        assertThat(c.persistent()).isFalse(); // the original is unchanged
    }

    @Test
    void refusesSettingsThatCannotWork() {
        JmsTransportConfig c = JmsTransportConfig.of("n1", "c");

        assertThatThrownBy(() -> JmsTransportConfig.of(" ", "c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JmsTransportConfig.of("n1", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withTimeToLive(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxBufferedPerPeer(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withOutageLogInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxFrameBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverShowsThePasswordOrTheKeys() {
        String secret = "the cluster secret, 32 bytes....";
        JmsTransportConfig c = JmsTransportConfig.of("n1", "c").withCredentials("app", "hunter2-password")
                .withAuthenticator(FrameAuthenticator.fromSecrets(secret, null));

        assertThat(c.toString()).contains("user=app", "password=****", "raft.c.n1")
                .doesNotContain("hunter2-password").doesNotContain(secret);
    }
}
