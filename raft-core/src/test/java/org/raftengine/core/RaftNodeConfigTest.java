package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RaftNodeConfigTest {

    @Test
    void badValuesAreRefusedWithAClearError() {
        assertThatThrownBy(() -> RaftNodeConfig.of(" ", "c")).hasMessageContaining("nodeId");
        assertThatThrownBy(() -> RaftNodeConfig.of("n1", "c").withCommandTimeout(Duration.ZERO))
                .hasMessageContaining("commandTimeout");
        assertThatThrownBy(() -> RaftNodeConfig.of("n1", "c").withMaxTailEntries(-1))
                .hasMessageContaining("maxTailEntries");
        assertThatThrownBy(() -> RaftNodeConfig.of("n1", "c").withBootstrap(
                ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n2"))).hasMessageContaining("not a member");
    }
}
