package org.raftengine.demo;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;

/**
 * The requests only the leader can carry out (membership, leadership transfer), made on a follower: forwarded to
 * the leader over HTTP, one hop, and its answer returned as it is. The forwarded request carries
 * {@value #FORWARDED}; a node that gets one and does not lead either (the leadership moved meanwhile) answers a
 * 503 problem naming the leader it knows instead of forwarding again, so a request never goes round in circles.
 */
@ApplicationScoped
public class LeaderForwarder {
    /** The header of a forwarded request: the id of the node that forwarded it. */
    public static final String FORWARDED = "Raft-Forwarded-By";

    @Inject
    RaftNode node;
    @Inject
    Peers peers;

    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "demo-forwarder");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).executor(executor).build();

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }

    /**
     * Null if this node leads (the caller carries the request out); else the leader's answer to the same request,
     * or a problem saying why there is none.
     */
    public Response unlessLeader(String method, String path, String jsonBody, String forwardedBy) {
        NodeStatus s = node.status();
        if (s.role() == Role.LEADER) {
            return null;
        }
        String leader = s.leaderId();
        if (forwardedBy != null) {
            throw notLeader("node " + node.id() + " was forwarded this request by " + forwardedBy
                    + " as the leader, and does not lead", leader).failure();
        }
        if (leader == null) {
            throw Problem.noLeader("node " + node.id() + " knows no leader now (an election is under way, or"
                    + " too few nodes are up)").failure();
        }
        URI base = peers.url(leader).orElseThrow(() -> notLeader("node " + node.id() + " does not lead, and the"
                + " leader " + leader + " has no URL in demo.peers to forward to", leader).failure());
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(90))
                .header(FORWARDED, node.id()).header("Accept", MediaType.APPLICATION_JSON + ", " + Problem.MEDIA_TYPE);
        if (jsonBody != null) {
            b.header("Content-Type", MediaType.APPLICATION_JSON).method(method,
                    HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw Problem.of("leader-unreachable", "The leader did not answer", 502, "node " + node.id()
                    + " forwarded the request to the leader " + leader + " at " + base + ", which did not answer: "
                    + e).with("leader", leader).with("leaderUrl", base.toString()).failure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("interrupted while forwarding to the leader " + leader).failure();
        }
        Response.ResponseBuilder r = Response.status(answer.statusCode()).entity(answer.body())
                .header("Raft-Served-By", leader);
        answer.headers().firstValue("Content-Type").ifPresent(t -> r.type(t));
        answer.headers().firstValue("Retry-After").ifPresent(v -> r.header("Retry-After", v));
        return r.build();
    }

    /** A 503 problem naming the leader this node knows (and its URL), for the client to ask it. */
    Problem notLeader(String detail, String leader) {
        Problem p = Problem.of("not-leader", "This node does not lead", 503, detail).retryAfter(1)
                .with("leader", leader);
        peers.url(leader).ifPresent(u -> p.with("leaderUrl", u.toString()));
        return p;
    }
}
