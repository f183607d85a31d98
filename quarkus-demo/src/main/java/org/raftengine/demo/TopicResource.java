package org.raftengine.demo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.raftengine.cdi.RaftClient;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;
import org.raftengine.core.ReadResult;

/**
 * The topics: {@code PUT /topics/{name}} assigns owners through the log (any node: a follower forwards the command
 * to the leader), {@code GET /topics/{name}} and {@code GET /topics} are linearizable reads, {@code GET /assignments}
 * the latest applied assignments on this node.
 *
 * <p>A read asks the node for a read index ({@link RaftNode#read}: the leader's commit index, confirmed by a
 * heartbeat round a majority answered after the read arrived) and waits until this node has applied that far; it
 * then reads the tables, which hold exactly what was applied (each applied batch commits with its entries). What it
 * sees is at least as new as every write acknowledged before the read began, and only committed writes: a
 * linearizable read, from any node.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class TopicResource {
    /** The header a client may give to name its request; the id is kept with the assignment. */
    public static final String REQUEST_ID = "Request-Id";
    private static final long WAIT_SECONDS = 30;

    @Inject
    RaftNode node;
    @Inject
    RaftClient raft;
    @Inject
    EntityManager em;

    /** The body of {@code PUT /topics/{name}}. */
    public record AssignRequest(List<String> owners) {
    }

    /** A topic's assignment as the API shows it. */
    public record TopicView(String topic, List<String> owners, long version, long index, String requestId) {
        static TopicView of(TopicAssignment t) {
            return new TopicView(t.topic, t.ownerList(), t.version, t.logIndex, t.requestId);
        }
    }

    /** {@code GET /topics}: every topic, with the read index the read was served at and the node that served it. */
    public record TopicList(String node, long readIndex, int count, List<TopicView> topics) {
    }

    /** One applied assignment. */
    public record EventView(long index, String topic, List<String> owners, String requestId) {
    }

    @PUT
    @Path("topics/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public TopicView assign(@PathParam("name") String name, AssignRequest body,
                            @HeaderParam(REQUEST_ID) String requestId) {
        String problem = Validation.topicProblem(name);
        if (problem == null) {
            problem = body == null ? "the body must be {\"owners\": [\"server-1\", ...]}"
                    : Validation.ownersProblem(body.owners());
        }
        String id = requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId.strip();
        if (problem == null) {
            problem = Validation.requestIdProblem(id);
        }
        if (problem != null) {
            throw Problem.invalid(problem).failure();
        }
        AssignTopic command = new AssignTopic(name, List.copyOf(body.owners()), id);
        CommandResult result = await(raft.submit(command).toCompletableFuture(), "the assignment of " + name);
        if (result instanceof CommandResult.Ok ok) {
            long version = Long.parseLong(new String(ok.result(), StandardCharsets.UTF_8));
            return new TopicView(name, command.owners(), version, ok.index(), id);
        }
        throw commandProblem(result, id).failure();
    }

    /** The problem of a command that did not end {@code Ok}. */
    static Problem commandProblem(CommandResult result, String requestId) {
        Problem p;
        if (result instanceof CommandResult.ApplicationError e) {
            p = Problem.rejected(e.message()).with("index", e.index());
        } else if (result instanceof CommandResult.Retry r) {
            p = Problem.unavailable("not in the log, submit it again: " + r.reason());
        } else if (result instanceof CommandResult.Redirect r) {
            p = Problem.of("not-leader", "This node does not lead", 503, "ask the leader " + r.leaderId())
                    .with("leader", r.leaderId()).retryAfter(1);
        } else if (result instanceof CommandResult.Indeterminate i) {
            p = Problem.indeterminate(i.reason());
        } else if (result instanceof CommandResult.Refused r) {
            p = Problem.rejected(r.reason());
        } else {
            p = Problem.of("internal-error", "Internal error", 500, "unexpected outcome " + result);
        }
        return p.with("requestId", requestId);
    }

    @GET
    @Path("topics/{name}")
    public TopicView get(@PathParam("name") String name) {
        String problem = Validation.topicProblem(name);
        if (problem != null) {
            throw Problem.invalid(problem).failure();
        }
        linearizableRead();
        TopicAssignment t = QuarkusTransaction.requiringNew().call(() -> em.find(TopicAssignment.class, name));
        if (t == null) {
            throw Problem.notFound("no topic " + name + " has been assigned").failure();
        }
        return TopicView.of(t);
    }

    @GET
    @Path("topics")
    public TopicList list() {
        long readIndex = linearizableRead();
        List<TopicView> topics = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                        "select t from TopicAssignment t order by t.topic", TopicAssignment.class)
                .getResultStream().map(TopicView::of).toList());
        return new TopicList(node.id(), readIndex, topics.size(), topics);
    }

    /** The latest assignments applied on this node, newest first (a local read, for the dashboard). */
    @GET
    @Path("assignments")
    public List<EventView> recent(@QueryParam("limit") @DefaultValue("20") int limit) {
        if (limit < 1 || limit > 100_000) {
            throw Problem.invalid("limit is 1 to 100000, not " + limit).failure();
        }
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                        "select e from AssignmentEvent e order by e.logIndex desc", AssignmentEvent.class)
                .setMaxResults(limit).getResultStream()
                .map(e -> new EventView(e.logIndex, e.topic, List.of(e.owners.split(",")), e.requestId)).toList());
    }

    /** Waits until this node has applied up to a read index the leader confirmed; returns it. */
    private long linearizableRead() {
        ReadResult<Boolean> r = await(node.read(sm -> Boolean.TRUE).toCompletableFuture(), "a read index");
        if (r instanceof ReadResult.Ok<Boolean> ok) {
            return ok.readIndex();
        }
        if (r instanceof ReadResult.Retry<Boolean> retry) {
            throw Problem.unavailable("no linearizable read now, try again: " + retry.reason()).failure();
        }
        throw Problem.of("internal-error", "Internal error", 500, "read failed: " + r).failure();
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f, String what) {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
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
