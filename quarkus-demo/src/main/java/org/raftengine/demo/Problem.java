package org.raftengine.demo;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem: every error of the demo's API is answered {@code application/problem+json} with a
 * {@code type} (a URN naming the kind of problem, {@value #TYPES} and a name), a {@code title} (the same for every
 * problem of that type), the HTTP {@code status}, a {@code detail} about this occurrence and the {@code instance} (the request
 * path), plus members of its own where useful ({@code leader}, {@code leaderUrl}, {@code retryAfterSeconds}...).
 */
public final class Problem {
    /** The media type of problem documents. */
    public static final String MEDIA_TYPE = "application/problem+json";
    static final MediaType TYPE = MediaType.valueOf(MEDIA_TYPE);
    /** The prefix of the problem types: URNs, names of kinds of problem (quarkus-demo/README.md), not to be fetched. */
    static final String TYPES = "urn:raftengine:demo:problem:";

    private final Map<String, Object> members = new LinkedHashMap<>();
    private final int status;
    private Integer retryAfter;

    private Problem(String type, String title, int status, String detail) {
        this.status = status;
        members.put("type", TYPES + type);
        members.put("title", title);
        members.put("status", status);
        members.put("detail", detail);
    }

    public static Problem of(String type, String title, int status, String detail) {
        return new Problem(type, title, status, detail);
    }

    /** Adds a member of this problem type's own. */
    public Problem with(String name, Object value) {
        if (value != null) {
            members.put(name, value);
        }
        return this;
    }

    /** The client may try again after {@code seconds}: a {@code Retry-After} header, and the member. */
    public Problem retryAfter(int seconds) {
        this.retryAfter = seconds;
        members.put("retryAfterSeconds", seconds);
        return this;
    }

    public int status() {
        return status;
    }

    /** The response, with {@code instance} set to the request's path. */
    public Response toResponse(String path) {
        if (path != null) {
            members.putIfAbsent("instance", path);
        }
        Response.ResponseBuilder b = Response.status(status).type(TYPE).entity(members);
        if (retryAfter != null) {
            b.header("Retry-After", retryAfter);
        }
        return b.build();
    }

    /** Thrown by resources; mapped to the problem's response ({@link ProblemMappers}). */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Problem problem;

        public Failure(Problem problem) {
            super((String) problem.members.get("detail"), null, false, false);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    public Failure failure() {
        return new Failure(this);
    }

    // The problem types of the API.

    static Problem invalid(String detail) {
        return of("invalid-request", "The request is not valid", 400, detail);
    }

    static Problem notFound(String detail) {
        return of("not-found", "Not found", 404, detail);
    }

    static Problem noLeader(String detail) {
        return of("no-leader", "The cluster has no leader now", 503, detail).retryAfter(1);
    }

    static Problem unavailable(String detail) {
        return of("unavailable", "Not possible now: try again", 503, detail).retryAfter(1);
    }

    static Problem indeterminate(String detail) {
        return of("indeterminate", "The outcome is not known: the request may or may not have taken effect", 504,
                detail);
    }

    static Problem rejected(String detail) {
        return of("rejected", "The cluster refused the request", 422, detail);
    }

    static Problem conflict(String detail) {
        return of("busy", "Another change is under way", 409, detail).retryAfter(1);
    }
}
