package org.raftengine.core.transport;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.MessageSink;
import org.raftengine.core.wire.MalformedFrameException;
import org.raftengine.core.wire.WireCodec;

/**
 * An in-JVM network connecting the nodes of a cluster that run in one process: for examples, the
 * README sample, real-thread tests and benchmarks.
 *
 * <pre>{@code
 * LocalNetwork network = new LocalNetwork();
 * Transport t1 = network.transport("n1");
 * Transport t2 = network.transport("n2");
 * }</pre>
 *
 * <p>Delivery is a direct hand-off: {@link LocalTransport#send} calls the target's {@link MessageSink}
 * on the sender's thread. That is safe because a node's sink only queues the message for its protocol
 * thread, and it keeps each sender's messages in order. A message whose target is unknown, stopped or
 * {@linkplain #isolate isolated} (or whose sender is isolated) is dropped and counted in
 * {@link #dropped()}.
 *
 * <p>Built with a {@link WireCodec}, the network encodes every message to bytes and decodes it again
 * on each hop, so a benchmark measures the codec's cost and a test exercises it end to end; a frame
 * the codec refuses to decode is dropped and counted.
 *
 * <p>Thread-safe: nodes send, start, stop, and tests isolate and heal, from any threads.
 */
public final class LocalNetwork {

    private final WireCodec codec;
    private final ConcurrentMap<String, MessageSink> sinks = new ConcurrentHashMap<>();
    private final Set<String> isolated = ConcurrentHashMap.newKeySet();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /** Makes a network that hands messages over as objects, without encoding them. */
    public LocalNetwork() {
        this.codec = null;
    }

    /**
     * Makes a network that encodes and decodes every message with {@code codec} on each hop.
     *
     * @throws NullPointerException if {@code codec} is null
     */
    public LocalNetwork(WireCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * Makes a transport for the node {@code nodeId}. It joins the network when started and leaves it
     * when stopped; a node restarted in the same process takes a new transport.
     *
     * @throws NullPointerException if {@code nodeId} is null
     */
    public LocalTransport transport(String nodeId) {
        return new LocalTransport(this, Objects.requireNonNull(nodeId, "nodeId"));
    }

    /**
     * Cuts {@code nodeId} off: every message to or from it is dropped until {@link #heal}. The node
     * need not have joined yet. Idempotent.
     */
    public void isolate(String nodeId) {
        isolated.add(Objects.requireNonNull(nodeId, "nodeId"));
    }

    /** Reconnects a node cut off by {@link #isolate}. Idempotent. */
    public void heal(String nodeId) {
        isolated.remove(Objects.requireNonNull(nodeId, "nodeId"));
    }

    /** True if {@code nodeId} is currently cut off by {@link #isolate}. */
    public boolean isIsolated(String nodeId) {
        return isolated.contains(nodeId);
    }

    /** The number of messages handed to a target's sink so far. */
    public long delivered() {
        return delivered.get();
    }

    /**
     * The number of messages dropped so far: target unknown or stopped, sender stopped, either end
     * isolated, a frame the codec refused, or a target sink that failed to take the message.
     */
    public long dropped() {
        return dropped.get();
    }

    /** Joins {@code nodeId} to the network; fails if a started transport already holds that id. */
    void register(String nodeId, MessageSink sink) {
        MessageSink previous = sinks.putIfAbsent(nodeId, sink);
        if (previous != null) {
            throw new IllegalStateException("node " + nodeId + " is already on this network");
        }
    }

    /** Removes {@code nodeId} only if {@code sink} still holds it, so a stale stop cannot evict a successor. */
    void unregister(String nodeId, MessageSink sink) {
        sinks.remove(nodeId, sink);
    }

    /** Counts a message dropped at the sender, before it reached the network. */
    void countDropped() {
        dropped.incrementAndGet();
    }

    /** Carries {@code message} from {@code senderId} to its target, or drops and counts it. Never throws for a lost peer. */
    void deliver(String senderId, RaftMessage message) {
        if (isolated.contains(senderId) || isolated.contains(message.to())) {
            dropped.incrementAndGet();
            return;
        }
        MessageSink target = sinks.get(message.to());
        if (target == null) {
            dropped.incrementAndGet();
            return;
        }
        RaftMessage received = message;
        if (codec != null) {
            // An encode failure is a bug in the codec or the message, not a network fault: let it surface.
            byte[] frame = codec.encode(message);
            try {
                received = codec.decode(frame);
            } catch (MalformedFrameException e) {
                dropped.incrementAndGet();
                return;
            }
        }
        try {
            target.accept(received);
        } catch (RuntimeException e) {
            // The target is going away (its executor refuses work): to the sender that is a lost
            // peer, and the Transport contract forbids throwing for one.
            dropped.incrementAndGet();
            return;
        }
        delivered.incrementAndGet();
    }

    /** A short description for logs and test failures. */
    @Override
    public String toString() {
        return "LocalNetwork[nodes=" + sinks.keySet() + ", isolated=" + isolated + ", delivered="
                + delivered.get() + ", dropped=" + dropped.get() + (codec != null ? ", with codec" : "") + "]";
    }
}
