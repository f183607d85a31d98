package org.raftengine.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Apache Ratis 3.1.3: three {@link RaftServer}s with Ratis's memory-backed log
 * ({@code raft.server.log.use.memory}), a state machine that acknowledges each applied entry with an
 * empty message, and one shared {@link RaftClient} whose async API carries every command.
 *
 * <p>Transport: Ratis's gRPC RPC, every server bound to {@code 127.0.0.1} on an ephemeral port. Unlike
 * the other systems this is not a direct hand-off: every message is protobuf-encoded and crosses the
 * loopback TCP stack, client to leader included. Ratis's in-JVM {@code SimulatedRpc} is published (in
 * {@code ratis-server}'s test jar) but is a test fixture, not used here: package-private classes, calls into
 * the test utilities ({@code RaftTestUtil}, built against JUnit), synchronous request/reply through blocking
 * queues and handler threads, and the non-pipelined default log appender instead of gRPC's streaming one.
 * gRPC is Ratis's default and the transport it is tuned around.
 *
 * <p>Ratis (with gRPC, Netty and protobuf) has a lot of code for the JIT: on two cores it keeps compiling
 * for 30 s or more, so give it {@code --jit-warmup-seconds 30} or more when it runs in few trials.
 *
 * <p>Settings changed from Ratis's defaults: the memory log; loopback host and chosen ports; a storage
 * directory in a temporary folder, deleted on stop (with the memory log it holds only the small vote and
 * term file, written on elections); the client's limit of outstanding async requests raised from 100 to
 * {@value #OUTSTANDING_MAX} so that no harness client blocks in {@code send} at C=256.
 */
final class RatisSystem implements BenchSystem {

    /** Held so that the levels set on them stay (the logging framework keeps loggers weakly). */
    private static final List<Logger> QUIET = List.of(Logger.getLogger("org.apache.ratis"), Logger.getLogger("io.grpc"));

    static {
        // Ratis's shaded gRPC and Netty log through java.util.logging; Ratis itself through SLF4J (no-op here).
        for (Logger l : QUIET) {
            l.setLevel(Level.SEVERE);
        }
    }

    private static final int OUTSTANDING_MAX = 4096;
    private static final int START_ATTEMPTS = 3;

    private final List<RaftServer> servers = new ArrayList<>();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile String firstFailure;
    private RaftGroup group;
    private Path storageRoot;
    private volatile RaftClient client;
    private RaftPeerId startLeader;

    @Override
    public String name() {
        return "ratis";
    }

    @Override
    public void start(Duration timeout) throws Exception {
        storageRoot = Files.createTempDirectory("raft-bench-ratis");
        IOException last = null;
        // A chosen port can be taken by someone else between choosing and binding: choose again.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                startServers();
                last = null;
                break;
            } catch (IOException e) {
                last = e;
                closeServers();
            }
        }
        if (last != null) {
            throw last;
        }
        RaftServer.Division found = Waits.until(timeout, this::findLeader);
        if (found == null) {
            throw new IllegalStateException(name() + ": no leader within " + timeout);
        }
        startLeader = found.getId();
        RaftProperties clientProperties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(clientProperties, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(clientProperties, OUTSTANDING_MAX);
        // One client for all: Ratis completes a reply's future while holding that client's sliding-window
        // lock, so a callback that submits through a second RaftClient can deadlock against that client's
        // replies (lock-order inversion, seen with 8 clients). Through the same client the lock is re-entered.
        client = RaftClient.newBuilder()
                .setProperties(clientProperties)
                .setRaftGroup(group)
                .setLeaderId(startLeader)
                .build();
    }

    private void startServers() throws IOException {
        RaftGroupId groupId = RaftGroupId.valueOf(UUID.randomUUID());
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            peers.add(RaftPeer.newBuilder()
                    .setId("n" + i)
                    .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), freeLoopbackPort()))
                    .build());
        }
        group = RaftGroup.valueOf(groupId, peers);
        for (RaftPeer peer : peers) {
            RaftProperties properties = new RaftProperties();
            RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
            String host = InetAddress.getLoopbackAddress().getHostAddress();
            int port = portOf(peer.getAddress());
            GrpcConfigKeys.Server.setHost(properties, host);
            GrpcConfigKeys.Server.setPort(properties, port);
            // Admin and client services share the server's port (their default); keep them on loopback too.
            GrpcConfigKeys.Admin.setHost(properties, host);
            GrpcConfigKeys.Client.setHost(properties, host);
            RaftServerConfigKeys.Log.setUseMemory(properties, true);
            Path dir = storageRoot.resolve(peer.getId().toString() + "-" + groupId.getUuid());
            RaftServerConfigKeys.setStorageDir(properties, List.of(dir.toFile()));
            RaftServer server = RaftServer.newBuilder()
                    .setServerId(peer.getId())
                    .setGroup(group)
                    .setProperties(properties)
                    .setStateMachine(new AckStateMachine())
                    .setOption(RaftStorage.StartupOption.FORMAT)
                    .build();
            servers.add(server);
            server.start();
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private RaftServer.Division findLeader() {
        for (RaftServer server : servers) {
            try {
                RaftServer.Division division = server.getDivision(group.getGroupId());
                if (division.getInfo().isLeader() && division.getInfo().isLeaderReady()) {
                    return division;
                }
            } catch (IOException e) {
                // Not started yet.
            }
        }
        return null;
    }

    @Override
    public void submit(byte[] command, SubmitCallback callback) {
        CompletableFuture<RaftClientReply> reply;
        try {
            // The harness never changes a command once submitted: wrap it, do not copy it.
            reply = client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(command)));
        } catch (RuntimeException e) {
            noteFailure(e);
            callback.completed(Outcome.FAILED);
            return;
        }
        reply.whenComplete((r, error) -> {
            if (error == null && r.isSuccess()) {
                callback.completed(Outcome.COMMITTED);
                return;
            }
            Throwable cause = error == null ? r.getException()
                    : error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof NotLeaderException || cause instanceof LeaderNotReadyException) {
                retried.incrementAndGet();
                callback.completed(Outcome.RETRY);
            } else {
                noteFailure(cause);
                callback.completed(Outcome.FAILED);
            }
        });
    }

    private void noteFailure(Throwable cause) {
        if (failed.getAndIncrement() == 0) {
            firstFailure = cause == null ? "null" : cause.getClass().getSimpleName();
        }
    }

    @Override
    public void stop(Duration timeout) throws Exception {
        RaftClient c = client;
        client = null;
        // Closing waits for Ratis's own threads; bound the wait so that a stuck close cannot hang the run.
        Thread closer = new Thread(() -> {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (IOException e) {
                noteFailure(e);
            } finally {
                closeServers();
            }
        }, "ratis-bench-stop");
        closer.setDaemon(true);
        closer.start();
        closer.join(timeout.toMillis());
        if (closer.isAlive()) {
            throw new IllegalStateException(name() + ": not stopped within " + timeout);
        }
        deleteStorage();
    }

    private void closeServers() {
        for (RaftServer server : servers) {
            try {
                server.close();
            } catch (IOException | RuntimeException e) {
                noteFailure(e);
            }
        }
        servers.clear();
    }

    private void deleteStorage() throws IOException {
        Path root = storageRoot;
        storageRoot = null;
        TempDirs.deleteTree(root);
    }

    @Override
    public String diagnostics() {
        StringBuilder note = new StringBuilder();
        RaftServer.Division now = findLeaderQuietly();
        if (startLeader != null && now != null && !now.getId().equals(startLeader)) {
            note.append("leaderChanged ");
        }
        long r = retried.get();
        long f = failed.get();
        if (r > 0) {
            note.append("notLeaderReplies=").append(r).append(' ');
        }
        if (f > 0) {
            note.append("failedReplies=").append(f).append(" (first: ").append(firstFailure).append(')');
        }
        return note.toString().trim();
    }

    private RaftServer.Division findLeaderQuietly() {
        try {
            return servers.isEmpty() ? null : findLeader();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The port of a peer address given as {@code host:port}. */
    private static int portOf(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** Applies nothing: records the applied index (as Ratis expects) and answers with an empty message. */
    static final class AckStateMachine extends BaseStateMachine {
        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            LogEntryProto entry = trx.getLogEntry();
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
    }
}
