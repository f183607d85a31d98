package org.raftengine.cdi;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Shutdown;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.jms.ConnectionFactory;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.Member;
import org.raftengine.core.RaftListener;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.transport.LocalNetwork;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.jms.JmsTransport;
import org.raftengine.jms.JmsTransportConfig;
import org.raftengine.jpa.JpaAppliedState;
import org.raftengine.jpa.JpaRaftLog;
import org.raftengine.jpa.JpaStateMachine;
import org.raftengine.jpa.JpaTransactions;

/**
 * Builds this application's {@link RaftNode} from the {@code raft.*} settings ({@link RaftProperties}) and the
 * application's beans, starts it when the application starts (the CDI {@code Startup} event) and stops it when
 * it stops ({@code Shutdown}). Inject {@code RaftNode} (one per application; a {@code @Singleton}, as the node
 * is a final class that needs no proxy) or {@link RaftClient}.
 *
 * <p>With {@code raft.log=jpa}, the log is a {@link JpaRaftLog} on the application's {@link EntityManagerFactory}
 * bean (list {@link JpaRaftLog#ENTITY_CLASSES} in that persistence unit) under its {@link TransactionManager}
 * bean, and committed commands are applied as {@code @Committed} events in JTA transactions. With
 * {@code raft.transport=jms}, the transport is a {@link JmsTransport} on the application's JMS
 * {@link ConnectionFactory} bean (a broker client's own factory, not a container-managed one), logging in with
 * {@code raft.jms.user} and {@code raft.jms.password} when they are set. With {@code raft.transport=bean}, the
 * transport is the application's {@link Transport} bean; with {@code raft.transport=<name>}, its Transport bean
 * {@code @Named("<name>")} (a transport of its own, say over its HTTP endpoints: {@code raft.transport=http}).
 *
 * <p>The node's role, leader and configuration changes are fired as {@link RoleChanged}, {@link LeaderChanged} and
 * {@link MembershipChanged} events.
 */
@ApplicationScoped
public class RaftNodeProducer {
    private static final System.Logger LOG = System.getLogger(RaftNodeProducer.class.getName());

    @Inject
    Config config;
    @Inject
    Event<Object> events;
    @Inject
    RequestContextController requestContext;
    @Inject
    Instance<EntityManagerFactory> entityManagerFactories;
    @Inject
    Instance<TransactionManager> transactionManagers;
    @Inject
    Instance<ConnectionFactory> connectionFactories;
    @Inject
    Instance<Transport> transports;
    @Inject
    @Any
    Instance<Transport> namedTransports;
    @Inject
    Instance<CommandCodec> codecs;
    @Inject
    Instance<RaftSnapshots> snapshotBeans;

    private RaftNode node;
    private volatile RaftLog log;
    private volatile String clusterId;
    private CommandCodec codec;
    private boolean codecChosen;

    /** Builds and starts the node as the application starts, so a wrong setting fails the deployment. */
    void onStartup(@Observes Startup startup) {
        node();
    }

    /** Stops the node as the application stops. */
    void onShutdown(@Observes Shutdown shutdown) {
        stop();
    }

    @PreDestroy
    void stop() {
        RaftNode n;
        synchronized (this) {
            n = node;
            node = null;
        }
        if (n != null) {
            try {
                n.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "raft node " + n.id() + " did not stop cleanly", e);
            }
        }
    }

    /** The application's node. */
    @Produces
    @Singleton
    RaftNode raftNode() {
        return node();
    }

    /** The node, built and started on first use. */
    synchronized RaftNode node() {
        if (node == null) {
            node = build();
            String id = node.id();
            node.addListener(new RaftListener() {
                @Override
                public void onRoleChange(Role role, long term) {
                    events.fire(new RoleChanged(id, role, term));
                }

                @Override
                public void onLeaderChange(String leaderId, long term) {
                    events.fire(new LeaderChanged(id, leaderId, term));
                }

                @Override
                public void onConfigurationChange(ClusterConfiguration configuration, long index) {
                    events.fire(new MembershipChanged(id, configuration.voters().stream().map(Member::id).toList(),
                            configuration.learners().stream().map(Member::id).toList(), configuration.settings(),
                            index));
                }
            });
            node.start();
            LOG.log(Level.INFO, "raft node " + node.id() + " started");
        }
        return node;
    }

    /**
     * Whether the node's log is marked broken ({@link RaftLog#isBroken()}): a failure the node cannot recover
     * from by itself (it stops). False before the node is built. For health checks ({@code raft-cdi-health}).
     */
    public boolean isLogBroken() {
        RaftLog l = log;
        return l != null && l.isBroken();
    }

    /** The cluster's id ({@code raft.cluster-id}) of the node, built on first use. For metrics' tags. */
    public String clusterId() {
        node();
        return clusterId;
    }

    /**
     * The codec of typed commands: the application's bean; otherwise as {@code raft.command-codec} says (by
     * default JSON-B if present, else Jackson if present, else none).
     */
    synchronized CommandCodec codec() {
        if (!codecChosen) {
            if (codecs.isAmbiguous()) {
                throw new RaftConfigurationException("CommandCodec", "there are several CommandCodec beans: make"
                        + " one the default, or the typed commands of this node would not be those of the others");
            }
            codec = codecs.isResolvable() ? codecs.get() : libraryCodec(RaftProperties.codecKind(config));
            codecChosen = true;
        }
        return codec;
    }

    private static CommandCodec libraryCodec(RaftProperties.CodecKind kind) {
        return switch (kind) {
            case NONE -> null;
            case JSONB -> required("jsonb needs a JSON-B implementation on the class path", JSONB_MARKER,
                    () -> JsonbCommandCodec.create());
            case JACKSON -> required("jackson needs jackson-databind on the class path", JACKSON_MARKER,
                    () -> JacksonCommandCodec.create());
            case AUTO -> {
                List<String> problems = new ArrayList<>();
                CommandCodec c = tryCreate(JSONB_MARKER, () -> JsonbCommandCodec.create(), problems);
                if (c == null) {
                    c = tryCreate(JACKSON_MARKER, () -> JacksonCommandCodec.create(), problems);
                }
                if (c == null) {
                    LOG.log(Level.INFO, "no CommandCodec bean, and neither JSON-B nor Jackson on the class path "
                            + problems + ": committed commands are fired as raw CommittedCommand events only");
                }
                yield c;
            }
        };
    }

    /** The codec the application named in {@code raft.command-codec}; its library missing fails the deployment. */
    private static CommandCodec required(String need, String marker, Supplier<CommandCodec> create) {
        List<String> problems = new ArrayList<>();
        CommandCodec c = tryCreate(marker, create, problems);
        if (c == null) {
            throw new RaftConfigurationException("raft.command-codec", need + " (" + problems + ")");
        }
        return c;
    }

    private static final String JSONB_MARKER = "jakarta.json.bind.JsonbBuilder";
    private static final String JACKSON_MARKER = "com.fasterxml.jackson.databind.ObjectMapper";

    /**
     * The codec {@code create} makes if the class {@code marker} of its library loads; otherwise null, with what
     * went wrong added to {@code problems}. The check comes first so that the codec class is never linked
     * against a library that is absent; and {@code create} must be a lambda calling the codec's factory, not a
     * method reference to it, since linking a method reference loads the codec class (and its library's classes)
     * where the reference is made, outside this method's catch.
     */
    private static CommandCodec tryCreate(String marker, Supplier<CommandCodec> create, List<String> problems) {
        try {
            Class.forName(marker, false, RaftNodeProducer.class.getClassLoader());
            return create.get();
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            problems.add(e.toString());
            return null;
        }
    }

    private RaftNode build() {
        RaftProperties p = RaftProperties.from(config,
                name -> !name.isBlank() && namedTransports.select(NamedLiteral.of(name)).isResolvable());
        CommandEvents fired = new CommandEvents(events, requestContext, codec());
        RaftLog log;
        StateMachine machine;
        if (p.log() == RaftProperties.LogKind.JPA) {
            EntityManagerFactory emf = one(entityManagerFactories, "raft.log",
                    "raft.log=jpa needs the application's EntityManagerFactory as a bean");
            TransactionManager tm = one(transactionManagers, "raft.log",
                    "raft.log=jpa needs a jakarta.transaction.TransactionManager bean");
            if (snapshotBeans.isAmbiguous()) {
                throw new RaftConfigurationException("raft.log", "raft.log=jpa takes snapshots through the"
                        + " application's RaftSnapshots bean, and there are several: make one the default");
            }
            JpaTransactions tx = JpaTransactions.jta(emf, tm);
            JpaRaftLog jpaLog = JpaRaftLog.builder(tx).clusterId(p.cluster()).nodeId(p.node()).open();
            RaftSnapshots snapshots = snapshotBeans.isResolvable() ? snapshotBeans.get() : null;
            if (snapshots == null) {
                LOG.log(Level.INFO, "raft node " + p.node() + ": no RaftSnapshots bean, so automatic compaction is off"
                        + " and the log keeps every entry (the application's tables are the state: only it can write"
                        + " them to a snapshot)");
            }
            log = jpaLog;
            machine = transactionalEvents(tx, JpaAppliedState.of(jpaLog), fired, snapshots);
        } else {
            log = new InMemoryRaftLog();
            machine = new InMemoryEvents(fired);
        }
        Transport transport = switch (p.transport()) {
            case JMS -> {
                ConnectionFactory factory = one(connectionFactories, "raft.transport",
                        "raft.transport=jms needs a jakarta.jms.ConnectionFactory bean");
                JmsTransportConfig c = JmsTransportConfig.of(p.node(), p.cluster()).withQueuePrefix(p.queuePrefix())
                        .withTimeToLiveFor(p.settings());
                RaftProperties.JmsCredentials credentials = RaftProperties.jmsCredentials(config);
                if (credentials != null) {
                    c = c.withCredentials(credentials.user(), credentials.password());
                }
                if (p.hmacSecret() != null) {
                    try {
                        c = c.withAuthenticator(FrameAuthenticator.fromSecrets(p.hmacSecret(), p.hmacPrevious()));
                    } catch (IllegalArgumentException e) {
                        throw new RaftConfigurationException("raft.hmac.secret", e.getMessage(), e);
                    }
                }
                yield new JmsTransport(factory, c);
            }
            case LOCAL -> new LocalNetwork().transport(p.node());
            case BEAN -> p.transportBean() != null
                    ? namedTransports.select(NamedLiteral.of(p.transportBean())).get()
                    : one(transports, "raft.transport", "raft.transport=bean needs a " + Transport.class.getName()
                            + " bean");
        };
        RaftNode built = new RaftNode(p.nodeConfig(), log, transport, machine);
        this.log = log;
        this.clusterId = p.cluster();
        return built;
    }

    /**
     * The state machine of {@code raft.log=jpa}: a {@link JpaStateMachine} whose commands are the {@code @Committed}
     * events. Each batch of committed entries is one JTA transaction that fires their events (observers join it
     * and do their own JPA work, each entry with its own request context) and records each entry as applied, with
     * its outcome; then commits. So the observers' changes, the applied index and the outcomes commit or roll back
     * together; a batch with a rejected command is applied again one entry per transaction. The application's
     * {@link RaftSnapshots}, if any, run inside the library's transaction with the request context active.
     */
    private static JpaStateMachine transactionalEvents(JpaTransactions tx, JpaAppliedState applied,
                                                       CommandEvents events, RaftSnapshots snapshots) {
        JpaStateMachine.Commands commands = (em, index, command) -> events.fire(index, command).result();
        if (snapshots == null) {
            return new JpaStateMachine(tx, applied, commands);
        }
        return new JpaStateMachine(tx, applied, commands, new JpaStateMachine.Snapshots() {
            @Override
            public void write(EntityManager em, OutputStream out) throws IOException {
                events.inRequestContext(() -> {
                    try {
                        snapshots.write(out);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                });
            }

            @Override
            public void restore(EntityManager em, InputStream in) throws IOException {
                events.inRequestContext(() -> {
                    try {
                        snapshots.restore(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                });
            }
        });
    }

    private static <T> T one(Instance<T> beans, String property, String need) {
        if (beans.isUnsatisfied()) {
            throw new RaftConfigurationException(property, need + ", and there is none");
        }
        if (beans.isAmbiguous()) {
            throw new RaftConfigurationException(property, need + ", and there are several: make one the default");
        }
        return beans.get();
    }
}
