package org.raftengine.core.internal;

import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.engine.RaftEngine;
import org.raftengine.core.runtime.NodeRuntime;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.Transport;

/**
 * Builds nodes that break Raft rules on purpose ({@link RuleBreach}): <strong>for tests of the test
 * kit's checkers only</strong>. Not API (see the package).
 *
 * <p>{@link RaftNode} has no public way to take an engine; it hands this class its private constructor
 * when it is initialised, so this door is the only way in besides the public constructors, and those
 * never break a rule.
 */
public final class RuleBreakingNodes {
    private static volatile Function<RaftEngine, RaftNode> nodeAroundEngine;

    private RuleBreakingNodes() {
    }

    /**
     * A node like {@code new RaftNode(config, log, transport, stateMachine, runtime)} that breaks
     * {@code breaches} (none: an honest node).
     */
    public static RaftNode create(RaftNodeConfig config, Set<RuleBreach> breaches, RaftLog log, Transport transport,
                                  StateMachine stateMachine, NodeRuntime runtime) {
        Objects.requireNonNull(breaches, "breaches");
        return nodeFactory().apply(new RaftEngine(config, log, transport, stateMachine, runtime, breaches));
    }

    /** Called once, by {@link RaftNode} as it is initialised; a second call is refused. */
    public static synchronized void grantedBy(Function<RaftEngine, RaftNode> factory) {
        if (nodeAroundEngine != null) {
            throw new IllegalStateException("the node factory is granted once, by RaftNode");
        }
        nodeAroundEngine = Objects.requireNonNull(factory, "factory");
    }

    private static Function<RaftEngine, RaftNode> nodeFactory() {
        if (nodeAroundEngine == null) {
            try {
                // RaftNode grants its factory in its static initialiser, which a class literal does not run.
                Class.forName(RaftNode.class.getName(), true, RaftNode.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return nodeAroundEngine;
    }
}
