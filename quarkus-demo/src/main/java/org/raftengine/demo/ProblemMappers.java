package org.raftengine.demo;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error as an RFC 9457 problem: the demo's own ({@link Problem.Failure}), the framework's (unknown path, wrong
 * method, unreadable JSON: their status, as a problem), and anything else (500, logged).
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response failure(Problem.Failure f, @Context UriInfo uri) {
        return f.problem().toResponse(path(uri));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, @Context UriInfo uri) {
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "HTTP " + status;
        String detail = e.getMessage();
        if (status == 400 && (detail == null || detail.isBlank() || detail.startsWith("HTTP 400"))) {
            detail = "the request body is not what this endpoint takes (JSON, see quarkus-demo/README.md)";
        }
        return Problem.of("http-" + status, title, status, detail).toResponse(path(uri));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, @Context UriInfo uri) {
        LOG.error("unexpected failure of " + path(uri), e);
        return Problem.of("internal-error", "Internal error", 500, e.toString()).toResponse(path(uri));
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }
}
