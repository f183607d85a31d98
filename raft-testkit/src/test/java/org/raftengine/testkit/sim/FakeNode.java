package org.raftengine.testkit.sim;

import java.util.ArrayList;
import java.util.List;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.core.spi.Transport;

/**
 * A tiny stand-in for a node, for testing the simulator without the engine: it plays ping-pong with
 * VoteRequest/VoteResponse, goes through its storage executor before answering, and pings on a timer
 * with a random period.
 */
final class FakeNode {
    final String id;
    final String peer;
    final SimRuntime runtime;
    final Transport transport;
    final List<String> received = new ArrayList<>();
    long pings;
    long pongs;
    long highest;

    FakeNode(Simulation sim, SimNetwork network, String id, String peer) {
        this.id = id;
        this.peer = peer;
        this.runtime = new SimRuntime(sim, id, 1);
        this.transport = network.transport(id);
    }

    void start() {
        transport.start(m -> runtime.protocolExecutor().execute(() -> handle(m)));
        armTimer();
    }

    private void armTimer() {
        runtime.schedule(5_000_000 + runtime.random().nextLong(20_000_000), () -> {
            ping(highest + 1);
            armTimer();
        });
    }

    void ping(long n) {
        pings++;
        transport.send(new VoteRequest(id, peer, 1, n, 0, 0, false, false));
    }

    private void handle(RaftMessage m) {
        received.add(MessageLabels.describe(m));
        highest = Math.max(highest, m.term());
        if (m instanceof VoteRequest r) {
            // Answer only once "persisted", to drive the storage executor too.
            runtime.storageExecutor().execute(() -> runtime.protocolExecutor().execute(
                    () -> transport.send(new VoteResponse(id, r.from(), 1, r.term(), false, true))));
        } else if (m instanceof VoteResponse) {
            pongs++;
        }
    }

    NodeState state() {
        return new NodeState(id, 'F', highest, received.size(), 0, pings, pongs);
    }
}
