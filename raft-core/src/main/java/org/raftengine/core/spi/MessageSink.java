package org.raftengine.core.spi;

import org.raftengine.core.message.RaftMessage;

/**
 * Where a {@link Transport} hands the messages it receives for a node. Thread-safe and non-blocking:
 * the node queues the message for its protocol thread and returns at once.
 */
@FunctionalInterface
public interface MessageSink {
    void accept(RaftMessage message);
}
