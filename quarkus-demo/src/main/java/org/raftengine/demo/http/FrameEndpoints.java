package org.raftengine.demo.http;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP transports of this server that receive frames, by cluster and node: {@code /raft/frames} hands each
 * request to the one it names. One in the demo (the node's); several in the conformance tests, which run many nodes
 * in one server.
 */
@ApplicationScoped
public class FrameEndpoints {
    private final Map<String, HttpTransport> receivers = new ConcurrentHashMap<>();

    private static String key(String clusterId, String nodeId) {
        return clusterId + "\n" + nodeId;
    }

    void register(HttpTransport t) {
        receivers.put(key(t.clusterId(), t.nodeId()), t);
    }

    void unregister(HttpTransport t) {
        receivers.remove(key(t.clusterId(), t.nodeId()), t);
    }

    /** The started transport of that node, or null. */
    HttpTransport find(String clusterId, String nodeId) {
        return clusterId == null || nodeId == null ? null : receivers.get(key(clusterId, nodeId));
    }
}
