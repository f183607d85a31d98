package org.raftengine.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.raftengine.core.ConfigurationResult;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.core.TransferResult;
import org.raftengine.core.spi.SnapshotMeta;

/**
 * The cluster: this node's view ({@code GET /cluster}), every node's ({@code GET /cluster/nodes}, for the
 * dashboard), leadership transfer ({@code POST /cluster/leader}), membership ({@code POST /cluster/members},
 * {@code DELETE /cluster/members/{id}}) and a snapshot of this node ({@code POST /cluster/snapshot}).
 *
 * <p>Transfer and membership changes are the leader's to make: a follower forwards them to the leader over HTTP
 * ({@link LeaderForwarder}) and returns its answer, so any node takes them.
 */
@Path("/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {
    private static final long WAIT_SECONDS = 60;

    @Inject
    RaftNode node;
    @Inject
    Peers peers;
    @Inject
    LeaderForwarder forwarder;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "raft.transport", defaultValue = "jms")
    String transport;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500)).build();

    /** This node as it sees itself and the cluster. */
    public record ClusterView(String node, String url, String role, long term, String leader, String leaderUrl,
                              List<String> voters, List<String> learners, long commitIndex, long appliedIndex,
                              long lastIndex, long firstIndex, long snapshotIndex, long snapshotsTaken,
                              long snapshotsInstalled, String transferTarget, String transport) {
    }

    /** The body of {@code POST /cluster/members}: the node's id, and {@code voter} (the default) or {@code learner}. */
    public record MemberRequest(String id, String role) {
    }

    /** The body of {@code POST /cluster/leader}, optional: the voter to hand over to (else the most up to date). */
    public record TransferRequest(String target) {
    }

    /** A configuration change done: the configuration that holds it, and its log index. */
    public record MembersView(List<String> voters, List<String> learners, long index) {
    }

    /** A transfer done: the new leader and its term. */
    public record LeaderView(String leader, long term) {
    }

    /** A snapshot taken: the last index and term it covers, its size, and this node's first log index now. */
    public record SnapshotView(String node, long index, long term, long sizeBytes, long firstIndex) {
    }

    @GET
    public ClusterView get() {
        NodeStatus s = node.status();
        return new ClusterView(s.nodeId(), peers.url(s.nodeId()).map(URI::toString).orElse(null),
                s.role().name(), s.term(), s.leaderId(),
                peers.url(s.leaderId()).map(URI::toString).orElse(null), s.voters(), s.learners(), s.commitIndex(),
                s.appliedIndex(), s.lastIndex(), s.firstIndex(), s.snapshotIndex(), node.snapshotsTaken(),
                node.snapshotsInstalled(), s.transferTarget(), transport);
    }

    /**
     * Every node of {@code demo.peers} as it sees itself (its {@code GET /cluster}, asked with a short time-out), or
     * {@code reachable: false}; this node's own view when there are no peers.
     */
    @GET
    @Path("nodes")
    public List<Map<String, Object>> nodes() {
        Map<String, URI> all = peers.all();
        List<Map<String, Object>> out = new ArrayList<>();
        if (all.isEmpty() || !all.containsKey(node.id())) {
            out.add(reachable(json.convertValue(get(), new TypeReference<>() { })));
        }
        Map<String, CompletableFuture<Map<String, Object>>> asked = new LinkedHashMap<>();
        for (Map.Entry<String, URI> p : all.entrySet()) {
            if (p.getKey().equals(node.id())) {
                asked.put(p.getKey(), CompletableFuture.completedFuture(
                        reachable(json.convertValue(get(), new TypeReference<>() { }))));
                continue;
            }
            HttpRequest request = HttpRequest.newBuilder(p.getValue().resolve("/cluster"))
                    .timeout(Duration.ofMillis(800)).header("Accept", MediaType.APPLICATION_JSON).GET().build();
            asked.put(p.getKey(), client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> r.statusCode() == 200 ? parse(r.body()) : null)
                    .exceptionally(e -> null).toCompletableFuture());
        }
        for (Map.Entry<String, CompletableFuture<Map<String, Object>>> a : asked.entrySet()) {
            Map<String, Object> view;
            try {
                view = a.getValue().get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                view = null;
            } catch (ExecutionException | TimeoutException e) {
                view = null;
            }
            if (view == null) {
                view = new LinkedHashMap<>();
                view.put("node", a.getKey());
                view.put("url", all.get(a.getKey()).toString());
                view.put("reachable", false);
            }
            out.add(view);
        }
        return out;
    }

    private static Map<String, Object> reachable(Map<String, Object> view) {
        view.put("reachable", true);
        return view;
    }

    private Map<String, Object> parse(String body) {
        try {
            return reachable(json.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() { }));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    @POST
    @Path("leader")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response transfer(TransferRequest body, @HeaderParam(LeaderForwarder.FORWARDED) String forwardedBy) {
        String target = body == null || body.target() == null || body.target().isBlank() ? null : body.target().strip();
        Response forwarded = forwarder.unlessLeader("POST", "/cluster/leader", write(new TransferRequest(target)),
                forwardedBy);
        if (forwarded != null) {
            return forwarded;
        }
        TransferResult r = await(target == null ? node.transferLeadership() : node.transferLeadership(target),
                "the leadership transfer");
        if (r instanceof TransferResult.Done d) {
            return Response.ok(new LeaderView(d.leaderId(), d.term())).build();
        }
        if (r instanceof TransferResult.NotLeader n) {
            throw forwarder.notLeader("node " + node.id() + " no longer leads", n.leaderId()).failure();
        }
        if (r instanceof TransferResult.InvalidTarget i) {
            throw Problem.rejected("cannot hand leadership to " + target + ": " + i.reason()).failure();
        }
        if (r instanceof TransferResult.Busy b) {
            throw Problem.conflict("a transfer to " + b.targetId() + " is under way").failure();
        }
        if (r instanceof TransferResult.TimedOut t) {
            throw Problem.indeterminate("the target did not take over in time: " + t.reason()).failure();
        }
        throw Problem.unavailable("the transfer ended without an outcome: " + r).failure();
    }

    @POST
    @Path("members")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(MemberRequest body, @HeaderParam(LeaderForwarder.FORWARDED) String forwardedBy) {
        if (body == null || body.id() == null || body.id().isBlank()) {
            throw Problem.invalid("the body must be {\"id\": \"n4\", \"role\": \"voter\" or \"learner\"}").failure();
        }
        String id = body.id().strip();
        if (Validation.nodeIdProblem(id) != null) {
            throw Problem.invalid(Validation.nodeIdProblem(id)).failure();
        }
        String role = body.role() == null || body.role().isBlank() ? "voter" : body.role().strip();
        if (!role.equals("voter") && !role.equals("learner")) {
            throw Problem.invalid("role is voter or learner, not '" + role + "'").failure();
        }
        Response forwarded = forwarder.unlessLeader("POST", "/cluster/members", write(new MemberRequest(id, role)),
                forwardedBy);
        if (forwarded != null) {
            return forwarded;
        }
        return configurationResponse(role.equals("voter") ? node.addVoter(id) : node.addLearner(id),
                "adding " + id + " as a " + role);
    }

    @DELETE
    @Path("members/{id}")
    public Response remove(@PathParam("id") String id, @HeaderParam(LeaderForwarder.FORWARDED) String forwardedBy) {
        if (Validation.nodeIdProblem(id) != null) {
            throw Problem.invalid(Validation.nodeIdProblem(id)).failure();
        }
        Response forwarded = forwarder.unlessLeader("DELETE", "/cluster/members/" + id, null, forwardedBy);
        if (forwarded != null) {
            return forwarded;
        }
        return configurationResponse(node.removeMember(id), "removing " + id);
    }

    private Response configurationResponse(CompletionStage<ConfigurationResult> change, String what) {
        ConfigurationResult r = await(change, what);
        if (r instanceof ConfigurationResult.Done d) {
            return Response.ok(new MembersView(d.configuration().voters().stream().map(m -> m.id()).toList(),
                    d.configuration().learners().stream().map(m -> m.id()).toList(), d.index())).build();
        }
        if (r instanceof ConfigurationResult.NotLeader n) {
            throw forwarder.notLeader("node " + node.id() + " no longer leads", n.leaderId()).failure();
        }
        if (r instanceof ConfigurationResult.Busy b) {
            throw Problem.conflict(what + ": " + b.reason()).failure();
        }
        if (r instanceof ConfigurationResult.Rejected j) {
            throw Problem.rejected(what + ": " + j.reason()).failure();
        }
        if (r instanceof ConfigurationResult.CatchUpFailed c) {
            throw Problem.of("catch-up-failed", "The new voter did not catch up with the leader", 409, what
                    + ": it stays a learner: " + c.reason()).failure();
        }
        if (r instanceof ConfigurationResult.Indeterminate i) {
            throw Problem.indeterminate(what + ": " + i.reason()).failure();
        }
        throw Problem.of("internal-error", "Internal error", 500, what + ": unexpected outcome " + r).failure();
    }

    @POST
    @Path("snapshot")
    public SnapshotView snapshot() {
        SnapshotMeta meta;
        try {
            meta = node.takeSnapshot().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnsupportedOperationException u) {
                throw Problem.of("snapshots-unsupported", "This node takes no snapshots", 409, u.getMessage())
                        .failure();
            }
            throw Problem.of("snapshot-failed", "The snapshot failed", 500, String.valueOf(e.getCause())).failure();
        } catch (TimeoutException e) {
            throw Problem.indeterminate("no snapshot within " + WAIT_SECONDS + " s").failure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("interrupted").failure();
        }
        return new SnapshotView(node.id(), meta.index(), meta.term(), meta.sizeBytes(), node.status().firstIndex());
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(CompletionStage<T> stage, String what) {
        try {
            return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw Problem.indeterminate("no outcome for " + what + " within " + WAIT_SECONDS + " s").failure();
        } catch (ExecutionException e) {
            throw Problem.of("internal-error", "Internal error", 500, what + " failed: " + e.getCause()).failure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("interrupted waiting for " + what).failure();
        }
    }
}
