package org.raftengine.testkit.sim;

import java.util.List;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.spi.LogEntry;

/**
 * What the {@link Invariants} need to see of a simulated cluster. {@link SimCluster} is the real one;
 * tests of the checks themselves use small fakes.
 */
public interface ClusterView {

    /** The simulation the cluster runs in. */
    Simulation simulation();

    /** Every node of the cluster, up or down, in a stable order. */
    List<String> nodeIds();

    /** True if the node is running (started and not crashed). */
    boolean isUp(String id);

    /** The node's status; meaningful only while it is up. */
    NodeStatus status(String id);

    /** Which run of the node this is, from 1; it changes with every restart. */
    int incarnation(String id);

    /** The state machine's applied index when the current incarnation started. */
    long appliedAtRestart(String id);

    /** The node's state machine (replaced when the node is wiped). */
    SimStateMachine stateMachine(String id);

    /** Every entry of the node's durable log, unverified, in index order. */
    List<LogEntry> logEntries(String id);

    /**
     * The term of the entry at {@code index} in the node's durable log, or of the last entry compacted away
     * when {@code index} is the first index - 1; 0 if the log knows no term there (index 0, past its end,
     * or compacted further back).
     */
    long logTermAt(String id, long index);

    /** The first index of the node's log; entries below it were compacted into a snapshot. */
    long logFirstIndex(String id);

    /**
     * The cluster incarnation the node's log belongs to (see {@link org.raftengine.core.ClusterConfiguration#incarnation()}),
     * or 0 while unknown (an empty log). Nodes of two incarnations (a cluster bootstrapped twice) are two clusters,
     * whose logs are not compared. 0 for every node unless told otherwise.
     */
    default long clusterIncarnation(String id) {
        return 0;
    }

    /** The client operations of the run. */
    ClientHistory history();
}
