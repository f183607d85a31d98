package org.raftengine.demo.http;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.raftengine.demo.Problem;

/**
 * {@code POST /raft/frames}: frames for a node of this server ({@link HttpTransport}). Answers 204 once the frames
 * are handed to the node (bad ones rejected and counted there), or a 404 problem when no node of that cluster and id
 * runs here (not started, stopped, or the transport is not {@code http}): the sender drops those frames.
 */
@Path(HttpTransport.PATH)
public class FrameResource {
    @Inject
    FrameEndpoints endpoints;

    @POST
    @NonBlocking
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public Response receive(@HeaderParam(HttpTransport.CLUSTER_HEADER) String cluster,
                            @HeaderParam(HttpTransport.NODE_HEADER) String node, byte[] body) {
        HttpTransport t = endpoints.find(cluster, node);
        if (t == null) {
            return Problem.of("no-such-node", "No such node here", 404, "no node " + node + " of cluster " + cluster
                    + " receives frames over HTTP on this server").toResponse(HttpTransport.PATH);
        }
        t.receive(body == null ? new byte[0] : body);
        return Response.noContent().build();
    }
}
