package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RaftNodeConfigTest {

    @Test
    void aNodeBreaksNoRuleUnlessToldTo() {
        RaftNodeConfig config = RaftNodeConfig.of("n1", "c").withCommandTimeout(Duration.ofSeconds(3))
                .withForwardToLeader(false).withMaxTailEntries(8);
        assertThat(config.ruleBreaches()).isEmpty();
        assertThat(config.withRuleBreaches(null).ruleBreaches()).isEmpty();
    }

    @Test
    void ruleBreachesAreCopiedAndSurviveTheOtherWithers() {
        Set<RuleBreach> asked = EnumSet.of(RuleBreach.APPLY_BEFORE_COMMIT);
        RaftNodeConfig config = RaftNodeConfig.of("n1", "c").withRuleBreaches(asked);
        asked.add(RuleBreach.VOTE_TWICE_IN_A_TERM);
        RaftNodeConfig later = config.withMaxTailEntries(4).withCommandTimeout(Duration.ofSeconds(1))
                .withForwardToLeader(false).withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1"));
        assertThat(later.ruleBreaches()).containsExactly(RuleBreach.APPLY_BEFORE_COMMIT);
        assertThatThrownBy(() -> later.ruleBreaches().add(RuleBreach.VOTE_TWICE_IN_A_TERM))
                .isInstanceOf(UnsupportedOperationException.class);
    }

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
