package org.raftengine.demo.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The demo's REST API from outside, over the JDK's HTTP client: JSON in and out, failures as status -1. */
public final class Api {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * An answer: the status (-1 when there was none: refused, reset, timed out) and the body, parsed when JSON.
     *
     * @param status the HTTP status, or -1
     * @param body   the JSON body, or null
     * @param text   the body as text, or what went wrong
     */
    public record Reply(int status, JsonNode body, String text) {
        public boolean ok() {
            return status == 200;
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    public Reply get(URI base, String path, Duration timeout) {
        return send("GET", base, path, null, Map.of(), timeout);
    }

    public Reply send(String method, URI base, String path, Object body, Map<String, String> headers,
                      Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Accept", "application/json, application/problem+json");
        headers.forEach(b::header);
        if (body != null) {
            String json;
            try {
                json = JSON.writeValueAsString(body);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode parsed = null;
            if (!r.body().isEmpty()) {
                try {
                    parsed = JSON.readTree(r.body());
                } catch (JsonProcessingException notJson) {
                    parsed = null;
                }
            }
            return new Reply(r.statusCode(), parsed, r.body());
        } catch (IOException e) {
            return new Reply(-1, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, null, "interrupted");
        }
    }
}
