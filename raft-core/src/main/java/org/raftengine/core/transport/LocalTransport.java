package org.raftengine.core.transport;

import java.util.Objects;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.MessageSink;
import org.raftengine.core.spi.Transport;

/**
 * The {@link Transport} of one node on a {@link LocalNetwork}; made by {@link LocalNetwork#transport}.
 *
 * <p>Single use: it can be started once and stopped once. A node restarted in the same process takes
 * a new transport from the network, as it would open a new connection.
 */
public final class LocalTransport implements Transport {

    private enum State { NEW, STARTED, STOPPED }

    private final LocalNetwork network;
    private final String nodeId;
    private MessageSink sink;
    // Read on every send from the protocol thread; written rarely under the lock.
    private volatile State state = State.NEW;

    LocalTransport(LocalNetwork network, String nodeId) {
        this.network = network;
        this.nodeId = nodeId;
    }

    /** The id of the node this transport serves. */
    public String nodeId() {
        return nodeId;
    }

    /** The network this transport belongs to. */
    public LocalNetwork network() {
        return network;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Joins the network under {@link #nodeId()}: from now on, messages addressed to it go to
     * {@code inbound}, called on the sender's thread.
     *
     * @throws NullPointerException  if {@code inbound} is null
     * @throws IllegalStateException if this transport was already started or stopped, or another
     *                               started transport holds the same node id on this network
     */
    @Override
    public synchronized void start(MessageSink inbound) {
        Objects.requireNonNull(inbound, "inbound");
        if (state != State.NEW) {
            throw new IllegalStateException("transport of " + nodeId + " is " + state
                    + ": it can be started once");
        }
        network.register(nodeId, inbound);
        sink = inbound;
        state = State.STARTED;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Delivers on the caller's thread. Sending before {@link #start} is allowed (a node may send
     * before it listens); after {@link #stop} the message is dropped and counted.
     *
     * @throws NullPointerException if {@code message} is null
     */
    @Override
    public void send(RaftMessage message) {
        Objects.requireNonNull(message, "message");
        if (state == State.STOPPED) {
            network.countDropped();
            return;
        }
        network.deliver(nodeId, message);
    }

    /** {@inheritDoc} Leaves the network; messages to this node are dropped from now on. Idempotent. */
    @Override
    public synchronized void stop() {
        if (state == State.STOPPED) {
            return;
        }
        if (sink != null) {
            network.unregister(nodeId, sink);
            sink = null;
        }
        state = State.STOPPED;
    }

    /** A short description for logs and test failures. */
    @Override
    public String toString() {
        return "LocalTransport[" + nodeId + ", " + state + "]";
    }
}
