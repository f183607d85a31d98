package org.raftengine.cdi;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.Config;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.RaftNodeConfig;
import org.raftengine.core.SnapshotPolicy;

/**
 * The {@code raft.*} settings, read through the MicroProfile Config API (so any implementation works) and
 * checked together; a problem is a {@link RaftConfigurationException} naming the property.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>raft.node-id</td><td>(required)</td><td>this node's id, one of raft.members</td></tr>
 *   <tr><td>raft.cluster-id</td><td>default</td><td>the cluster's id</td></tr>
 *   <tr><td>raft.members</td><td>(required)</td><td>the ids of the voting members, comma-separated</td></tr>
 *   <tr><td>raft.bootstrap</td><td>false</td><td>this node creates the cluster (exactly one node, once)</td></tr>
 *   <tr><td>raft.pre-vote, raft.check-quorum</td><td>true</td><td>cluster settings (bootstrap values)</td></tr>
 *   <tr><td>raft.lease-reads</td><td>false</td><td>cluster setting (bootstrap value): leaders serve reads on a
 *       lease, only with raft.check-quorum</td></tr>
 *   <tr><td>raft.heartbeat-ms</td><td>100</td><td>cluster setting (bootstrap value)</td></tr>
 *   <tr><td>raft.election-timeout-min-ms, -max-ms</td><td>1000, 2000</td><td>cluster settings (bootstrap values)</td></tr>
 *   <tr><td>raft.max-entries-per-append</td><td>512</td><td>cluster setting (bootstrap value)</td></tr>
 *   <tr><td>raft.command-timeout-ms</td><td>the core's default</td><td>a command not committed by then is Indeterminate</td></tr>
 *   <tr><td>raft.snapshot.threshold-entries</td><td>100000</td><td>entries applied between automatic snapshots</td></tr>
 *   <tr><td>raft.log</td><td>jpa</td><td>{@code jpa} (the application's persistence unit) or {@code memory} (tests, demos)</td></tr>
 *   <tr><td>raft.transport</td><td>jms</td><td>{@code jms} (the application's ConnectionFactory), {@code local}
 *       (one JVM, a single-node cluster), {@code bean} (the Transport bean of the application's), or the name of
 *       one of the application's Transport beans ({@code @Named("http")}: {@code raft.transport=http})</td></tr>
 *   <tr><td>raft.jms.queue-prefix</td><td>raft.</td><td>queues are prefix + cluster id + "." + node id</td></tr>
 *   <tr><td>raft.jms.user, raft.jms.password</td><td>the factory's</td><td>the transport logs in to the broker with
 *       these ({@code createConnection(user, password)}): for a connection factory that carries no credentials,
 *       such as an application server's connection factory to a remote broker</td></tr>
 *   <tr><td>raft.hmac.secret, raft.hmac.previous-secret</td><td>none</td><td>frames authenticated with HMAC-SHA256</td></tr>
 *   <tr><td>raft.command-codec</td><td>auto</td><td>typed commands as JSON through {@code jsonb} or {@code jackson},
 *       {@code none} (raw bytes only), or {@code auto}: JSON-B if present, else Jackson if present; a
 *       {@link CommandCodec} bean of the application's comes first</td></tr>
 * </table>
 *
 * Cluster settings here are bootstrap values only: once the cluster exists, the settings in its log rule.
 *
 * @param node           raft.node-id
 * @param cluster        raft.cluster-id
 * @param members        raft.members
 * @param bootstrap      raft.bootstrap
 * @param settings       the cluster settings
 * @param commandTimeout raft.command-timeout-ms, or null for the core's default
 * @param snapshots      the snapshot policy
 * @param log            raft.log
 * @param transport      raft.transport: a {@link TransportKind}, {@code BEAN} for a named bean too
 * @param transportBean  the name of the application's Transport bean that raft.transport names, or null
 * @param queuePrefix    raft.jms.queue-prefix
 * @param hmacSecret     raft.hmac.secret, or null
 * @param hmacPrevious   raft.hmac.previous-secret, or null
 */
public record RaftProperties(String node, String cluster, List<String> members, boolean bootstrap,
                             ClusterSettings settings, Duration commandTimeout, SnapshotPolicy snapshots,
                             LogKind log, TransportKind transport, String transportBean, String queuePrefix,
                             String hmacSecret, String hmacPrevious) {

    /** Where the log is kept. */
    public enum LogKind { JPA, MEMORY }

    /** How messages travel. */
    public enum TransportKind { JMS, LOCAL, BEAN }

    /** Which library writes typed commands, when the application gives no {@link CommandCodec} bean. */
    public enum CodecKind { AUTO, JSONB, JACKSON, NONE }

    /**
     * The broker credentials of the JMS transport ({@code raft.jms.user}, {@code raft.jms.password}); its
     * {@code toString} never shows the password.
     */
    public record JmsCredentials(String user, String password) {
        @Override
        public String toString() {
            return "JmsCredentials[user=" + user + ", password=" + (password == null ? "none" : "(hidden)") + "]";
        }
    }

    /** raft.jms.user and raft.jms.password, or null when no user is set (the factory's own credentials). */
    public static JmsCredentials jmsCredentials(Config config) {
        Optional<String> user = config.getOptionalValue("raft.jms.user", String.class).filter(u -> !u.isBlank());
        Optional<String> password = config.getOptionalValue("raft.jms.password", String.class);
        if (user.isEmpty()) {
            if (password.isPresent()) {
                throw new RaftConfigurationException("raft.jms.password", "is set without raft.jms.user");
            }
            return null;
        }
        return new JmsCredentials(user.get().strip(), password.orElse(null));
    }

    /** raft.command-codec. */
    public static CodecKind codecKind(Config config) {
        return choice(config, "raft.command-codec", CodecKind.class, CodecKind.AUTO);
    }

    /** Reads and checks the settings; {@code raft.transport} names no bean. */
    public static RaftProperties from(Config config) {
        return from(config, name -> false);
    }

    /**
     * Reads and checks the settings; {@code raft.transport} may also name a Transport bean of the application's,
     * one for which {@code isTransportBean} is true ({@link RaftNodeProducer} asks the container for an
     * {@code @Named} one).
     */
    public static RaftProperties from(Config config, Predicate<String> isTransportBean) {
        String node = required(config, "raft.node-id");
        String cluster = config.getOptionalValue("raft.cluster-id", String.class).orElse("default");
        String membersText = required(config, "raft.members");
        List<String> members = Arrays.stream(membersText.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .distinct().toList();
        if (members.isEmpty()) {
            throw new RaftConfigurationException("raft.members", "names no member");
        }
        if (!members.contains(node)) {
            throw new RaftConfigurationException("raft.node-id", "'" + node + "' is not among raft.members "
                    + members);
        }
        ClusterSettings d = ClusterSettings.DEFAULTS;
        ClusterSettings settings;
        try {
            settings = new ClusterSettings(
                    longValue(config, "raft.heartbeat-ms", d.heartbeatMillis()),
                    longValue(config, "raft.election-timeout-min-ms", d.electionTimeoutMinMillis()),
                    longValue(config, "raft.election-timeout-max-ms", d.electionTimeoutMaxMillis()),
                    (int) longValue(config, "raft.max-entries-per-append", d.maxEntriesPerAppend()),
                    d.maxBytesPerAppend(), d.maxInflightAppends(), d.maxUncommittedBytes(), d.maxApplyBacklog(),
                    boolValue(config, "raft.pre-vote", d.preVote()),
                    boolValue(config, "raft.check-quorum", d.checkQuorum()),
                    d.sessionTimeoutMillis());
        } catch (IllegalArgumentException e) {
            throw new RaftConfigurationException("raft.heartbeat-ms/raft.election-timeout-*",
                    "the cluster settings do not work together: " + e.getMessage(), e);
        }
        boolean leaseReads = boolValue(config, "raft.lease-reads", false);
        try {
            settings = settings.withLeaseReads(leaseReads);
        } catch (IllegalArgumentException e) {
            throw new RaftConfigurationException("raft.lease-reads", "needs raft.check-quorum=true ("
                    + e.getMessage() + ")", e);
        }
        Duration commandTimeout = config.getOptionalValue("raft.command-timeout-ms", Long.class)
                .map(Duration::ofMillis).orElse(null);
        SnapshotPolicy p = SnapshotPolicy.DEFAULTS;
        long threshold = longValue(config, "raft.snapshot.threshold-entries", p.thresholdEntries());
        if (threshold < 1) {
            throw new RaftConfigurationException("raft.snapshot.threshold-entries", "must be positive: " + threshold);
        }
        SnapshotPolicy snapshots = new SnapshotPolicy(threshold, p.thresholdBytes(),
                Math.min(p.trailingEntries(), threshold), p.chunkBytes());
        LogKind log = choice(config, "raft.log", LogKind.class, LogKind.JPA);
        String transportBean = null;
        TransportKind transport;
        Optional<String> transportValue = config.getOptionalValue("raft.transport", String.class).map(String::strip);
        if (transportValue.isPresent() && !isKind(transportValue.get(), TransportKind.class)
                && isTransportBean.test(transportValue.get())) {
            transport = TransportKind.BEAN;
            transportBean = transportValue.get();
        } else {
            transport = choice(config, "raft.transport", TransportKind.class, TransportKind.JMS);
        }
        if (transport == TransportKind.LOCAL && members.size() > 1) {
            throw new RaftConfigurationException("raft.transport", "local reaches no other JVM, and raft.members"
                    + " names " + members.size() + " members: use jms, or a Transport bean (bean)");
        }
        codecKind(config); // read by the producer when it picks the codec; a wrong value fails here, with the rest
        jmsCredentials(config); // read by the producer for the JMS transport; checked here with the rest
        return new RaftProperties(node, cluster, members, boolValue(config, "raft.bootstrap", false), settings,
                commandTimeout, snapshots, log, transport, transportBean,
                config.getOptionalValue("raft.jms.queue-prefix", String.class).orElse("raft."),
                config.getOptionalValue("raft.hmac.secret", String.class).orElse(null),
                config.getOptionalValue("raft.hmac.previous-secret", String.class).orElse(null));
    }

    /** The node's configuration for the core. */
    public RaftNodeConfig nodeConfig() {
        RaftNodeConfig c = RaftNodeConfig.of(node, cluster).withSnapshots(snapshots);
        if (commandTimeout != null) {
            c = c.withCommandTimeout(commandTimeout);
        }
        if (bootstrap) {
            c = c.withBootstrap(ClusterConfiguration.of(settings, members.toArray(String[]::new)));
        }
        return c;
    }

    private static String required(Config config, String name) {
        Optional<String> v = config.getOptionalValue(name, String.class);
        if (v.isEmpty() || v.get().isBlank()) {
            throw new RaftConfigurationException(name, "is required");
        }
        return v.get().strip();
    }

    private static long longValue(Config config, String name, long otherwise) {
        try {
            return config.getOptionalValue(name, Long.class).orElse(otherwise);
        } catch (IllegalArgumentException | NoSuchElementException e) {
            throw new RaftConfigurationException(name, "is not a whole number: " + e.getMessage(), e);
        }
    }

    private static boolean boolValue(Config config, String name, boolean otherwise) {
        Optional<String> v = config.getOptionalValue(name, String.class);
        if (v.isEmpty()) {
            return otherwise;
        }
        return switch (v.get().strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new RaftConfigurationException(name, "must be true or false, not '" + v.get() + "'");
        };
    }

    private static <E extends Enum<E>> boolean isKind(String value, Class<E> kind) {
        return Arrays.stream(kind.getEnumConstants()).anyMatch(c -> c.name().equalsIgnoreCase(value));
    }

    private static <E extends Enum<E>> E choice(Config config, String name, Class<E> kind, E otherwise) {
        Optional<String> v = config.getOptionalValue(name, String.class);
        if (v.isEmpty()) {
            return otherwise;
        }
        try {
            return Enum.valueOf(kind, v.get().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RaftConfigurationException(name, "unknown value '" + v.get() + "' (one of "
                    + Arrays.stream(kind.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
                    + (kind == TransportKind.class ? ", or the name of an @Named Transport bean of the application's"
                    : "") + ")");
        }
    }
}
