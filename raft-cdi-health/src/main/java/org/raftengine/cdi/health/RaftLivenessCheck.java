package org.raftengine.cdi.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.raftengine.cdi.RaftNodeProducer;
import org.raftengine.core.RaftNode;

/**
 * Liveness check {@code raft}: DOWN only when the node's log is marked broken (the node stopped and will not
 * recover by itself: restarting the process, after repairing the storage, is what helps). Elections and lost
 * quorums are not liveness failures: they show in readiness ({@link RaftReadinessCheck}). Same data.
 */
@Liveness
@ApplicationScoped
public class RaftLivenessCheck implements HealthCheck {
    @Inject
    RaftNode node;
    @Inject
    RaftNodeProducer producer;

    @Override
    public HealthCheckResponse call() {
        boolean broken = producer.isLogBroken();
        return RaftReadinessCheck.response(!broken, node.status(), broken);
    }
}
