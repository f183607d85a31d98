package org.raftengine.bench;

import io.microraft.RaftConfig;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNode;
import io.microraft.exception.CannotReplicateException;
import io.microraft.exception.NotLeaderException;
import io.microraft.model.message.RaftMessage;
import io.microraft.statemachine.StateMachine;
import io.microraft.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * MicroRaft 0.7: three {@link RaftNode}s with MicroRaft's own in-memory log (no {@code RaftStore}
 * persistence: the default no-op store) and a {@link DirectTransport} that hands every message
 * object to the target node's {@link RaftNode#handle} on the sender's thread.
 *
 * <p>The only setting changed from MicroRaft's defaults is a shorter leader election timeout
 * (500 ms instead of 1 s) so that trials start sooner; it plays no part once a leader is elected.
 */
final class MicroRaftSystem implements BenchSystem {

    private static final String GROUP_ID = "bench";
    private static final List<Endpoint> ENDPOINTS = List.of(new Endpoint("n1"), new Endpoint("n2"), new Endpoint("n3"));

    private final Map<RaftEndpoint, RaftNode> byEndpoint = new ConcurrentHashMap<>();
    private final List<RaftNode> nodes = new ArrayList<>();
    private final AtomicLong leaderChanges = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile RaftNode leader;

    @Override
    public String name() {
        return "microraft";
    }

    @Override
    public void start(Duration timeout) throws Exception {
        RaftConfig config = RaftConfig.newBuilder().setLeaderElectionTimeoutMillis(500).build();
        DirectTransport transport = new DirectTransport();
        List<RaftEndpoint> members = List.copyOf(ENDPOINTS);
        for (Endpoint endpoint : ENDPOINTS) {
            RaftNode node = RaftNode.newBuilder()
                    .setGroupId(GROUP_ID)
                    .setLocalEndpoint(endpoint)
                    .setInitialGroupMembers(members)
                    .setConfig(config)
                    .setTransport(transport)
                    .setStateMachine(new NullStateMachine())
                    .build();
            byEndpoint.put(endpoint, node);
            nodes.add(node);
        }
        for (RaftNode node : nodes) {
            node.start().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        RaftNode found = Waits.until(timeout, this::findLeader);
        if (found == null) {
            throw new IllegalStateException(name() + ": no leader within " + timeout);
        }
        leader = found;
    }

    private RaftNode findLeader() {
        for (RaftNode node : nodes) {
            RaftEndpoint known = node.getTerm().getLeaderEndpoint();
            if (node.getLocalEndpoint().equals(known)) {
                return node;
            }
        }
        return null;
    }

    @Override
    public void submit(byte[] command, SubmitCallback callback) {
        RaftNode target = leader;
        target.replicate(command).whenComplete((ordered, error) -> {
            if (error == null) {
                callback.completed(Outcome.COMMITTED);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof NotLeaderException || cause instanceof CannotReplicateException) {
                refreshLeader(target);
                callback.completed(Outcome.RETRY);
            } else {
                refreshLeader(target);
                callback.completed(Outcome.FAILED);
            }
        });
    }

    private void refreshLeader(RaftNode stale) {
        if (leader != stale) {
            return;
        }
        RaftNode found = findLeader();
        if (found != null && found != stale) {
            leader = found;
            leaderChanges.incrementAndGet();
        }
    }

    @Override
    public void stop(Duration timeout) throws Exception {
        List<CompletableFuture<?>> stops = new ArrayList<>();
        for (RaftNode node : nodes) {
            stops.add(node.terminate());
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        nodes.clear();
        byEndpoint.clear();
    }

    @Override
    public String diagnostics() {
        long changes = leaderChanges.get();
        long lost = dropped.get();
        return (changes > 0 ? "leaderChanges=" + changes + " " : "") + (lost > 0 ? "dropped=" + lost : "");
    }

    /** A node's address: its id. */
    record Endpoint(String id) implements RaftEndpoint {
        @Override
        public Object getId() {
            return id;
        }
    }

    /**
     * In-JVM transport with direct hand-off: {@link #send} calls the target's {@link RaftNode#handle}
     * on the caller's thread, which only queues the message on the target's Raft thread. Message
     * objects are shared, not copied (MicroRaft's model objects are immutable once built).
     */
    final class DirectTransport implements Transport {
        @Override
        public void send(RaftEndpoint target, RaftMessage message) {
            RaftNode node = byEndpoint.get(target);
            if (node == null) {
                dropped.incrementAndGet();
                return;
            }
            node.handle(message);
        }

        @Override
        public boolean isReachable(RaftEndpoint endpoint) {
            return byEndpoint.containsKey(endpoint);
        }
    }

    /** Applies nothing; answers every operation with the same result. */
    static final class NullStateMachine implements StateMachine {
        private static final Object NEW_TERM = new Object() {
            @Override
            public String toString() {
                return "NewTerm";
            }
        };
        private static final Object SNAPSHOT = "empty";

        @Override
        public Object runOperation(long commitIndex, Object operation) {
            return Boolean.TRUE;
        }

        @Override
        public void takeSnapshot(long commitIndex, Consumer<Object> snapshotChunkConsumer) {
            snapshotChunkConsumer.accept(SNAPSHOT);
        }

        @Override
        public void installSnapshot(long commitIndex, List<Object> snapshotChunks) {
        }

        @Override
        public Object getNewTermOperation() {
            return NEW_TERM;
        }
    }
}
