package org.raftengine.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.runtime.ThreadedRuntime;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.transport.LocalNetwork;

/**
 * Rule breaches are out of the public API: the configuration has no switch for them, the public
 * constructors never set one, and the internal door builds a node that breaks rules and warns at start.
 * (That the breaches take effect is shown by the test kit's CheckersCatchBrokenEnginesTest.)
 */
class RuleBreakingNodesTest {
    private static final Logger ENGINE_LOG = Logger.getLogger("org.raftengine.core.engine.RaftEngine");

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(new SimpleFormatter().formatMessage(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureEngineWarnings() {
        ENGINE_LOG.addHandler(capture);
    }

    @AfterEach
    void release() {
        ENGINE_LOG.removeHandler(capture);
    }

    /** Does nothing but count: these nodes are only started and stopped. */
    private static final class Idle implements StateMachine {
        private long applied;

        @Override
        public synchronized long lastApplied() {
            return applied;
        }

        @Override
        public synchronized byte[] apply(long index, byte[] command) {
            applied = index;
            return command;
        }

        @Override
        public synchronized void recordApplied(long index) {
            applied = index;
        }
    }

    private static RaftNodeConfig solo() {
        return RaftNodeConfig.of("solo", "breaches").withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS,
                "solo"));
    }

    private static void startAndStop(Supplier<RaftNode> node) throws Exception {
        RaftNode n = node.get();
        n.start();
        n.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theConfigurationHasNoSwitchForBreakingRules() {
        assertThat(Arrays.stream(RaftNodeConfig.class.getRecordComponents()).map(RecordComponent::getName))
                .noneMatch(name -> name.toLowerCase().contains("breach"));
    }

    @Test
    void aNodeBuiltThePublicWayBreaksNoRuleAndDoesNotWarn() throws Exception {
        LocalNetwork network = new LocalNetwork();
        startAndStop(() -> new RaftNode(solo(), new InMemoryRaftLog(), network.transport("solo"), new Idle()));
        assertThat(warnings).noneMatch(w -> w.contains("deliberately breaks"));
    }

    @Test
    void aNodeBuiltThroughTheDoorWarnsAtStartNamingTheRulesItBreaks() throws Exception {
        LocalNetwork network = new LocalNetwork();
        startAndStop(() -> RuleBreakingNodes.create(solo(), Set.of(RuleBreach.APPLY_BEFORE_COMMIT),
                new InMemoryRaftLog(), network.transport("solo"), new Idle(),
                new ThreadedRuntime("solo")));
        assertThat(warnings).anyMatch(w -> w.contains("node solo deliberately breaks Raft rules [APPLY_BEFORE_COMMIT]"));
    }

    @Test
    void theDoorIsGrantedOnceByRaftNodeAndBuildsAnHonestNodeWhenAskedForNoBreach() throws Exception {
        LocalNetwork network = new LocalNetwork();
        startAndStop(() -> RuleBreakingNodes.create(solo(), Set.of(), new InMemoryRaftLog(), network.transport("solo"),
                new Idle(), new ThreadedRuntime("solo")));
        assertThat(warnings).noneMatch(w -> w.contains("deliberately breaks"));
        assertThatThrownBy(() -> RuleBreakingNodes.grantedBy(engine -> null))
                .isInstanceOf(IllegalStateException.class);
    }
}
