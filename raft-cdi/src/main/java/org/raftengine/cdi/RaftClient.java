package org.raftengine.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.raftengine.core.ClientSession;
import org.raftengine.core.CommandResult;
import org.raftengine.core.RaftNode;

/**
 * Submits commands to the cluster through this node (a follower forwards them to the leader): typed commands
 * ({@link RaftCommand}) encoded with the {@link CommandCodec}, or raw bytes. For exactly-once submission with
 * re-sends, use a {@link ClientSession} ({@link #openSession()}) and {@link #encode} the typed command.
 * Each outcome of {@link #submit} is fired as a {@link CommandCompleted} event (for metrics).
 */
@ApplicationScoped
public class RaftClient {
    private static final System.Logger LOG = System.getLogger(RaftClient.class.getName());

    private final RaftNodeProducer nodes;
    @Inject
    Event<CommandCompleted> completed;

    /** For the container's proxy. */
    protected RaftClient() {
        this.nodes = null;
    }

    @Inject
    public RaftClient(RaftNodeProducer nodes) {
        this.nodes = nodes;
    }

    /** Submits a typed command; its observers' result comes back in {@link CommandResult.Ok#result()}. */
    public CompletionStage<CommandResult> submit(Object command) {
        return reported(node().submit(encode(command)));
    }

    /** Submits a raw command. */
    public CompletionStage<CommandResult> submit(byte[] command) {
        return reported(node().submit(command));
    }

    /** The bytes of a typed command, as the log will hold them. */
    public byte[] encode(Object command) {
        Objects.requireNonNull(command, "command");
        CommandCodec codec = nodes.codec();
        if (codec == null) {
            throw new IllegalStateException("no CommandCodec: provide one as a bean, or put a JSON-B implementation"
                    + " on the class path; or submit bytes");
        }
        return codec.encode(command);
    }

    /** A new client session on this node, for exactly-once commands. */
    public ClientSession openSession() {
        return node().openSession();
    }

    /** Fires the outcome once known; the caller gets the node's own stage, whatever the observers do. */
    private CompletionStage<CommandResult> reported(CompletionStage<CommandResult> outcome) {
        Event<CommandCompleted> e = completed;
        if (e != null) {
            String id = node().id();
            outcome.whenComplete((result, failure) -> {
                try {
                    e.fire(new CommandCompleted(id, result, failure));
                } catch (RuntimeException observerFailed) {
                    LOG.log(Level.WARNING, "a CommandCompleted observer failed", observerFailed);
                }
            });
        }
        return outcome;
    }

    private RaftNode node() {
        return nodes.node();
    }
}
