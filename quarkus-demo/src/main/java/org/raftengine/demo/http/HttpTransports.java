package org.raftengine.demo.http;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.Config;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.demo.Peers;

/**
 * The node's {@link HttpTransport} as a bean named {@code http}, so that {@code raft.transport=http} selects it
 * (raft-cdi takes the application's {@code @Named} Transport bean the property names): the node's and the cluster's
 * ids from {@code raft.node-id} and {@code raft.cluster-id}, the peers' URLs from {@code demo.peers}, the cluster's
 * HMAC secret from {@code raft.hmac.secret} (and {@code raft.hmac.previous-secret} during a rotation), the time to live
 * of a queued frame from {@code raft.election-timeout-max-ms}. Also the HTTP client the transports send with.
 */
@ApplicationScoped
public class HttpTransports {
    /** Frames queued per peer before the oldest is dropped. */
    public static final int MAX_BUFFERED_PER_PEER = 1024;

    @Inject
    Config config;
    @Inject
    Peers peers;
    @Inject
    FrameEndpoints endpoints;

    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raft-http-client");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).executor(executor).build();

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }

    /** The client frames are POSTed with. */
    public HttpClient client() {
        return client;
    }

    /** A transport for node {@code nodeId} of {@code clusterId} (the tests make several). */
    public HttpTransport create(String clusterId, String nodeId, java.util.function.Function<String, URI> urls,
                                FrameAuthenticator authenticator) {
        long ttl = config.getOptionalValue("raft.election-timeout-max-ms", Long.class).orElse(2000L);
        return new HttpTransport(clusterId, nodeId, urls, authenticator, client, endpoints, MAX_BUFFERED_PER_PEER,
                Duration.ofMillis(ttl));
    }

    @Produces
    @Singleton
    @Named("http")
    Transport http() {
        String secret = config.getOptionalValue("raft.hmac.secret", String.class).orElse(null);
        FrameAuthenticator auth = secret == null ? null : FrameAuthenticator.fromSecrets(secret,
                config.getOptionalValue("raft.hmac.previous-secret", String.class).orElse(null));
        return create(config.getOptionalValue("raft.cluster-id", String.class).orElse("default"),
                config.getValue("raft.node-id", String.class), id -> peers.url(id).orElse(null), auth);
    }
}
