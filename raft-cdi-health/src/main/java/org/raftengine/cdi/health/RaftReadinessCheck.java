package org.raftengine.cdi.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.raftengine.cdi.RaftNodeProducer;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;

/**
 * Readiness check {@code raft}: UP when this node knows a leader (itself or another) and its log is not broken,
 * so commands submitted here can be committed; DOWN during elections, without a leader, once the node stopped,
 * or once the log is broken. The data tell the node's id, role, term, leader (when known), commit and applied index, and whether
 * the log is broken.
 */
@Readiness
@ApplicationScoped
public class RaftReadinessCheck implements HealthCheck {
    /** The checks' name. */
    public static final String NAME = "raft";

    @Inject
    RaftNode node;
    @Inject
    RaftNodeProducer producer;

    @Override
    public HealthCheckResponse call() {
        NodeStatus s = node.status();
        boolean broken = producer.isLogBroken();
        // A stopped node's status keeps the last leader it knew: it is not ready all the same.
        boolean up = s.role() != Role.STOPPED && s.leaderId() != null && !broken;
        return response(up, s, broken);
    }

    /** The response of the checks: built with the API's constructor, so it needs no provider of builders. */
    static HealthCheckResponse response(boolean up, NodeStatus s, boolean broken) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("node", s.nodeId());
        data.put("role", s.role().name());
        data.put("term", s.term());
        if (s.leaderId() != null) {
            data.put("leader", s.leaderId());
        }
        data.put("commitIndex", s.commitIndex());
        data.put("appliedIndex", s.appliedIndex());
        data.put("logBroken", broken);
        return new HealthCheckResponse(NAME, up ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
                Optional.of(data));
    }
}
