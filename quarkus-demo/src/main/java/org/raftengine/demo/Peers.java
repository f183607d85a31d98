package org.raftengine.demo;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Where the nodes' HTTP endpoints are: {@code demo.peers}, a comma-separated list of {@code id=url}
 * ({@code n1=http://127.0.0.1:8081,n2=...}), naming every node that may run, those to be added later too. Used to
 * forward the membership and leadership requests to the leader, to show every node on the dashboard, and by the HTTP
 * transport. Empty for a node on its own.
 */
@ApplicationScoped
public class Peers {
    private final Map<String, URI> urls;

    /** For the container's proxy. */
    protected Peers() {
        this.urls = Map.of();
    }

    @Inject
    public Peers(Config config) {
        this(config.getOptionalValue("demo.peers", String.class).orElse(""));
    }

    Peers(String spec) {
        this.urls = parse(spec);
    }

    static Map<String, URI> parse(String spec) {
        Map<String, URI> m = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw new IllegalArgumentException("demo.peers: '" + p + "' is not id=url");
            }
            String url = p.substring(eq + 1).strip();
            while (url.endsWith("/")) {
                url = url.substring(0, url.length() - 1);
            }
            URI uri = URI.create(url);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("demo.peers: '" + url + "' is not an http:// URL");
            }
            m.put(p.substring(0, eq).strip(), uri);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Every node's base URL, by id, in the order given. */
    public Map<String, URI> all() {
        return urls;
    }

    /** The base URL of node {@code id}, if known. */
    public Optional<URI> url(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(urls.get(id));
    }
}
