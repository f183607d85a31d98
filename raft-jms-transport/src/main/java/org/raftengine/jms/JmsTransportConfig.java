package org.raftengine.jms;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.core.wire.WireCodec;

/**
 * The settings of one node's {@link JmsTransport}. Immutable; start from {@link #of} and change what
 * differs with the {@code with...} methods:
 *
 * <pre>{@code
 * JmsTransportConfig config = JmsTransportConfig.of("n1", "orders")
 *         .withQueuePrefix("myapp.raft.")
 *         .withCredentials(user, password)
 *         .withAuthenticator(FrameAuthenticator.fromSecrets(secret, previousSecret));
 * }</pre>
 *
 * <p>Defaults: queue prefix {@value #DEFAULT_QUEUE_PREFIX}; non-persistent delivery; a time-to-live of
 * the default maximum election timeout (2 s), since Raft retransmits and a stale message is worse than
 * none; {@value #DEFAULT_MAX_BUFFERED_PER_PEER} frames buffered per peer; reconnect back-off from 100 ms
 * doubling up to 5 s; one log line per 30 s while the broker is down; no frame authentication; the
 * codec's 64 MiB frame limit; the connection factory's own credentials.
 *
 * <p>The password and the authenticator's keys never appear in {@link #toString()}.
 *
 * @param nodeId             this node's id; its queue is {@code queuePrefix + clusterId + "." + nodeId}
 * @param clusterId          the cluster's id, carried in and checked on every frame
 * @param queuePrefix        the start of every queue name of this transport, to keep them apart from the
 *                           application's own queues on a shared broker
 * @param timeToLive         how long a sent message may wait, in the buffer and on the broker, before it is
 *                           discarded; {@link Duration#ZERO} for never
 * @param persistent         send with {@code DeliveryMode.PERSISTENT} (the broker writes each message to
 *                           disk: slower, and of no use to Raft, which retransmits)
 * @param maxBufferedPerPeer frames held for one peer while they cannot be sent; past it the oldest is
 *                           dropped and counted
 * @param reconnectMin       the first wait before reconnecting after a failure
 * @param reconnectMax       the longest wait between reconnect attempts (the wait doubles up to it)
 * @param outageLogInterval  at most one log line per this interval while the broker is unreachable
 * @param authenticator      signs every frame sent and refuses every frame received without a valid tag;
 *                           {@code null} for none
 * @param maxFrameBytes      the largest frame sent or accepted (before the authentication tag)
 * @param username           the broker user, or {@code null} to use the connection factory's own
 * @param password           the broker password (with {@code username})
 */
public record JmsTransportConfig(String nodeId, String clusterId, String queuePrefix, Duration timeToLive,
                                 boolean persistent, int maxBufferedPerPeer, Duration reconnectMin,
                                 Duration reconnectMax, Duration outageLogInterval, FrameAuthenticator authenticator,
                                 int maxFrameBytes, String username, String password) {

    /** The queue prefix when none is given. */
    public static final String DEFAULT_QUEUE_PREFIX = "raft.";

    /** Frames held per peer when none is given. */
    public static final int DEFAULT_MAX_BUFFERED_PER_PEER = 1024;

    /** Checks every setting. */
    public JmsTransportConfig {
        requireText(nodeId, "nodeId");
        requireText(clusterId, "clusterId");
        Objects.requireNonNull(queuePrefix, "queuePrefix");
        requireNotNegative(timeToLive, "timeToLive");
        if (maxBufferedPerPeer < 1) {
            throw new IllegalArgumentException("maxBufferedPerPeer must be at least 1, not " + maxBufferedPerPeer);
        }
        requirePositive(reconnectMin, "reconnectMin");
        requirePositive(reconnectMax, "reconnectMax");
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("reconnectMax must not be shorter than reconnectMin");
        }
        requirePositive(outageLogInterval, "outageLogInterval");
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes must be positive, not " + maxFrameBytes);
        }
        if (username == null && password != null) {
            throw new IllegalArgumentException("a password without a username");
        }
    }

    /** The defaults (see the class comment) for node {@code nodeId} of cluster {@code clusterId}. */
    public static JmsTransportConfig of(String nodeId, String clusterId) {
        return new JmsTransportConfig(nodeId, clusterId, DEFAULT_QUEUE_PREFIX,
                Duration.ofMillis(ClusterSettings.DEFAULTS.electionTimeoutMaxMillis()), false,
                DEFAULT_MAX_BUFFERED_PER_PEER, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30),
                null, WireCodec.DEFAULT_MAX_FRAME_BYTES, null, null);
    }

    /** The name of the queue node {@code node} of this cluster receives on. */
    public String queueName(String node) {
        return queuePrefix + clusterId + "." + node;
    }

    /** This node's own queue. */
    public String ownQueueName() {
        return queueName(nodeId);
    }

    /** With another queue prefix. */
    public JmsTransportConfig withQueuePrefix(String prefix) {
        return with(c -> c.queuePrefix = prefix);
    }

    /** With another time-to-live; {@link Duration#ZERO} for none. */
    public JmsTransportConfig withTimeToLive(Duration ttl) {
        return with(c -> c.timeToLive = ttl);
    }

    /** With the time-to-live tied to the cluster's settings: its longest election timeout. */
    public JmsTransportConfig withTimeToLiveFor(ClusterSettings settings) {
        return withTimeToLive(Duration.ofMillis(settings.electionTimeoutMaxMillis()));
    }

    /** With persistent (true) or non-persistent (false, the default) delivery. */
    public JmsTransportConfig withPersistent(boolean on) {
        return with(c -> c.persistent = on);
    }

    /** With another bound on the frames held per peer. */
    public JmsTransportConfig withMaxBufferedPerPeer(int frames) {
        return with(c -> c.maxBufferedPerPeer = frames);
    }

    /** With another reconnect back-off: from {@code min}, doubling up to {@code max}. */
    public JmsTransportConfig withReconnectBackoff(Duration min, Duration max) {
        return with(c -> {
            c.reconnectMin = min;
            c.reconnectMax = max;
        });
    }

    /** With another interval between log lines while the broker is down. */
    public JmsTransportConfig withOutageLogInterval(Duration interval) {
        return with(c -> c.outageLogInterval = interval);
    }

    /** With frames signed and checked by {@code auth}; {@code null} for none. */
    public JmsTransportConfig withAuthenticator(FrameAuthenticator auth) {
        return with(c -> c.authenticator = auth);
    }

    /** With another frame size limit. */
    public JmsTransportConfig withMaxFrameBytes(int bytes) {
        return with(c -> c.maxFrameBytes = bytes);
    }

    /** With broker credentials for {@code ConnectionFactory.createConnection(user, password)}. */
    public JmsTransportConfig withCredentials(String user, String pass) {
        Objects.requireNonNull(user, "user");
        return with(c -> {
            c.username = user;
            c.password = pass;
        });
    }

    /** A copy of this configuration with {@code change} applied, checked again. */
    private JmsTransportConfig with(Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return new JmsTransportConfig(d.nodeId, d.clusterId, d.queuePrefix, d.timeToLive, d.persistent,
                d.maxBufferedPerPeer, d.reconnectMin, d.reconnectMax, d.outageLogInterval, d.authenticator,
                d.maxFrameBytes, d.username, d.password);
    }

    /** The settings being changed by one {@code with...} call. */
    private static final class Draft {
        final String nodeId;
        final String clusterId;
        String queuePrefix;
        Duration timeToLive;
        boolean persistent;
        int maxBufferedPerPeer;
        Duration reconnectMin;
        Duration reconnectMax;
        Duration outageLogInterval;
        FrameAuthenticator authenticator;
        int maxFrameBytes;
        String username;
        String password;

        Draft(JmsTransportConfig c) {
            nodeId = c.nodeId;
            clusterId = c.clusterId;
            queuePrefix = c.queuePrefix;
            timeToLive = c.timeToLive;
            persistent = c.persistent;
            maxBufferedPerPeer = c.maxBufferedPerPeer;
            reconnectMin = c.reconnectMin;
            reconnectMax = c.reconnectMax;
            outageLogInterval = c.outageLogInterval;
            authenticator = c.authenticator;
            maxFrameBytes = c.maxFrameBytes;
            username = c.username;
            password = c.password;
        }
    }

    /** Every setting but the password and the keys. */
    @Override
    public String toString() {
        return "JmsTransportConfig[node=" + nodeId + ", cluster=" + clusterId + ", queue=" + ownQueueName()
                + ", ttl=" + timeToLive + ", persistent=" + persistent + ", maxBufferedPerPeer=" + maxBufferedPerPeer
                + ", reconnect=" + reconnectMin + ".." + reconnectMax + ", outageLogInterval=" + outageLogInterval
                + ", authenticator=" + (authenticator == null ? "none" : authenticator)
                + ", maxFrameBytes=" + maxFrameBytes + ", user=" + (username == null ? "(factory's)" : username)
                + ", password=" + (password == null ? "none" : "****") + "]";
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static void requireNotNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    private static void requirePositive(Duration d, String name) {
        requireNotNegative(d, name);
        if (d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
