package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.Transport;

/**
 * Where messages leave the node. A message may rest on this node's term or vote (a vote granted, a term
 * announced), and a node must never vote twice in a term, even across restarts: so while a change of
 * term or vote is not yet durable, every message waits here, in order, and leaves once it is.
 */
final class Outbox {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());

    private final String nodeId;
    private final Transport transport;
    /** Counts changes of term or vote; the storage pipeline writes them and reports the version durable. */
    private long hardStateVersion;
    private long durableHardStateVersion;
    private final List<RaftMessage> held = new ArrayList<>();

    Outbox(String nodeId, Transport transport) {
        this.nodeId = nodeId;
        this.transport = transport;
    }

    void hardStateChanged() {
        hardStateVersion++;
    }

    long hardStateVersion() {
        return hardStateVersion;
    }

    /** Version {@code version} of the term and vote is on storage: what waited for it (if all) leaves. */
    void hardStateDurable(long version) {
        durableHardStateVersion = Math.max(durableHardStateVersion, version);
        if (durableHardStateVersion == hardStateVersion && !held.isEmpty()) {
            List<RaftMessage> release = new ArrayList<>(held);
            held.clear();
            for (RaftMessage m : release) {
                send(m);
            }
        }
    }

    void send(RaftMessage m) {
        if (durableHardStateVersion != hardStateVersion) {
            held.add(m);
            return;
        }
        try {
            transport.send(m);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "node " + nodeId + ": transport failed to send " + m.getClass().getSimpleName()
                    + " to " + m.to(), e);
        }
    }
}
