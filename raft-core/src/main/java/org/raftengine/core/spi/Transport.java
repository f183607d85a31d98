package org.raftengine.core.spi;

import org.raftengine.core.message.RaftMessage;

/**
 * One-way, asynchronous delivery of messages between the nodes of a cluster: the transport seam.
 *
 * <p>There is no request/response coupling: a response is just another message, and every message
 * says itself which term, index, request or round it belongs to. A transport may lose, duplicate,
 * reorder and delay messages, deliver them long after they were sent (a broker queue that outlived a
 * restart), or deliver none at all for a while; the engine survives all of this. It must not alter a
 * message, and it must not block the caller of {@link #send}: a transport that cannot deliver now
 * drops or queues, and may log and count what it dropped.
 *
 * <p>{@link #send} is called from the node's protocol thread. Inbound messages go to the sink given to
 * {@link #start}, from any thread of the transport's.
 */
public interface Transport {

    /** Starts delivering this node's inbound messages to {@code inbound}. */
    void start(MessageSink inbound);

    /** Sends a message to the node {@link RaftMessage#to()}; never blocks, never throws for a lost peer. */
    void send(RaftMessage message);

    /** Stops delivery and releases resources; messages sent afterwards are dropped. */
    void stop();
}
