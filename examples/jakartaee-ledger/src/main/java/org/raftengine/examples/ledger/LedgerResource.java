package org.raftengine.examples.ledger;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.raftengine.cdi.RaftClient;
import org.raftengine.core.CommandResult;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;

/**
 * Deposits and transfers go through the cluster (any server: a follower forwards to the leader); balances and the
 * ledger are this server's copy. The answer of a command:
 * <ul>
 *   <li>200 and {@code "<id> applied at <index>"}: applied, on every server (a repeat of the id answers the same);</li>
 *   <li>422: refused by the ledger's rules, on every server;</li>
 *   <li>503 (no leader now, or busy) and 504 (not known whether it was applied): send the same id again, to this
 *       server or another one; the ledger applies an id at most once;</li>
 *   <li>400: the cluster can never take it as it is.</li>
 * </ul>
 */
@Path("/")
@RequestScoped
public class LedgerResource {
    @Inject
    RaftClient raft;
    @Inject
    RaftNode node;
    @Inject
    LedgerView view;

    @POST
    @Path("deposits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.TEXT_PLAIN)
    public CompletionStage<Response> deposit(Deposit deposit) {
        return raft.submit(deposit).thenApply(LedgerResource::answer);
    }

    @POST
    @Path("transfers")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.TEXT_PLAIN)
    public CompletionStage<Response> transfer(Transfer transfer) {
        return raft.submit(transfer).thenApply(LedgerResource::answer);
    }

    @GET
    @Path("accounts")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Long> accounts() {
        return view.balances();
    }

    @GET
    @Path("ledger")
    @Produces(MediaType.APPLICATION_JSON)
    public LedgerView.Contents ledger() {
        return view.contents();
    }

    @GET
    @Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> status() {
        NodeStatus s = node.status();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", s.nodeId());
        m.put("role", s.role().name());
        m.put("term", s.term());
        m.put("leader", s.leaderId());
        m.put("commitIndex", s.commitIndex());
        m.put("appliedIndex", s.appliedIndex());
        m.put("snapshotIndex", s.snapshotIndex());
        m.put("firstIndex", s.firstIndex());
        m.put("snapshotsTaken", node.snapshotsTaken());
        m.put("snapshotsInstalled", node.snapshotsInstalled());
        m.put("voters", s.voters());
        return m;
    }

    static Response answer(CommandResult result) {
        if (result instanceof CommandResult.Ok ok) {
            return text(200, new String(ok.result(), StandardCharsets.UTF_8));
        } else if (result instanceof CommandResult.ApplicationError e) {
            return text(422, e.message());
        } else if (result instanceof CommandResult.Redirect r) {
            return text(503, "not the leader; the leader is " + r.leaderId());
        } else if (result instanceof CommandResult.Retry r) {
            return text(503, "retry: " + r.reason());
        } else if (result instanceof CommandResult.Indeterminate i) {
            return text(504, "indeterminate: " + i.reason());
        } else if (result instanceof CommandResult.Refused r) {
            return text(400, "refused: " + r.reason());
        }
        throw new IllegalStateException("unknown outcome " + result);
    }

    private static Response text(int status, String body) {
        return Response.status(status).entity(body).type(MediaType.TEXT_PLAIN).build();
    }
}
