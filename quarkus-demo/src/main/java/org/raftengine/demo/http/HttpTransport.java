package org.raftengine.demo.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.MessageSink;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.core.wire.MalformedFrameException;
import org.raftengine.core.wire.WireCodec;

/**
 * A raftengine {@link Transport} over the application's own HTTP endpoints: each message is a frame of raft-core's
 * {@link WireCodec} (signed with HMAC-SHA256 by the cluster's {@link FrameAuthenticator} when a secret is
 * configured), and frames for a peer are POSTed, several per request, to the peer's {@code /raft/frames}
 * ({@link FrameResource}) with the JDK's HTTP client. Raft needs no more of a transport than one-way delivery that may
 * lose, duplicate and reorder: there is no reply, a response is just another message.
 *
 * <p><b>Sending.</b> {@link #send} encodes and signs on the caller's (the node's protocol) thread, queues the frame
 * for its peer and returns: it never blocks. One sender thread per peer POSTs what is queued, up to
 * {@value #MAX_BATCH_BYTES} bytes per request, one request at a time. Past {@link #maxBufferedPerPeer()} frames
 * queued for a peer, the oldest is dropped; a frame queued longer than the time to live (the longest election timeout)
 * is dropped unsent, since Raft resends and a stale message is worse than none; a request that fails (the peer is
 * down) drops its frames, and the sender backs off (100 ms doubling to 1 s) until the peer answers again.
 *
 * <p><b>Receiving.</b> The body of a POST is a sequence of frames, each a 4-byte big-endian length and that many
 * bytes; the request names the cluster and the node it is for ({@value #CLUSTER_HEADER}, {@value #NODE_HEADER}), so
 * that one server can hold the nodes of several clusters (the conformance tests do). Each frame must carry a valid
 * tag when a secret is configured, decode as a frame of this cluster, and be addressed to this node; anything else
 * is rejected, counted and logged (at most once per 30 s), and the rest of the request is still read.
 */
public final class HttpTransport implements Transport {
    private static final Logger LOG = Logger.getLogger(HttpTransport.class);

    /** The request header naming the cluster the frames are for. */
    public static final String CLUSTER_HEADER = "Raft-Cluster";
    /** The request header naming the node the frames are for. */
    public static final String NODE_HEADER = "Raft-Node";
    /** The path frames are POSTed to. */
    public static final String PATH = "/raft/frames";
    /** The most bytes of frames in one request (one larger frame goes alone). */
    public static final int MAX_BATCH_BYTES = 4 << 20;
    /** The largest frame sent or accepted. */
    public static final int MAX_FRAME_BYTES = 16 << 20;

    private final String clusterId;
    private final String nodeId;
    private final Function<String, URI> peerUrls;
    private final FrameAuthenticator authenticator;
    private final HttpClient client;
    private final FrameEndpoints endpoints;
    private final int maxBufferedPerPeer;
    private final long timeToLiveNanos;
    private final WireCodec codec;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();

    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private final AtomicLong framesRejected = new AtomicLong();
    private final AtomicLong framesUnauthenticated = new AtomicLong();
    private final AtomicLong lastRejectionLog = new AtomicLong(System.nanoTime() - Duration.ofMinutes(1).toNanos());

    private volatile MessageSink sink;
    private volatile boolean running;

    /**
     * @param clusterId          the cluster's id, carried and checked in every frame
     * @param nodeId             this node's id
     * @param peerUrls           a peer's base URL by its id, or null if unknown (its frames are dropped)
     * @param authenticator      signs and checks frames, or null for none
     * @param client             the HTTP client frames are sent with
     * @param endpoints          where this transport registers to receive what {@code /raft/frames} gets
     * @param maxBufferedPerPeer frames queued per peer before the oldest is dropped
     * @param timeToLive         how long a frame may wait to be sent
     */
    public HttpTransport(String clusterId, String nodeId, Function<String, URI> peerUrls,
                         FrameAuthenticator authenticator, HttpClient client, FrameEndpoints endpoints,
                         int maxBufferedPerPeer, Duration timeToLive) {
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.peerUrls = Objects.requireNonNull(peerUrls, "peerUrls");
        this.authenticator = authenticator;
        this.client = Objects.requireNonNull(client, "client");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        if (maxBufferedPerPeer < 1) {
            throw new IllegalArgumentException("maxBufferedPerPeer must be positive");
        }
        this.maxBufferedPerPeer = maxBufferedPerPeer;
        this.timeToLiveNanos = timeToLive.toNanos();
        this.codec = new WireCodec(clusterId, MAX_FRAME_BYTES);
    }

    public String clusterId() {
        return clusterId;
    }

    public String nodeId() {
        return nodeId;
    }

    @Override
    public void start(MessageSink inbound) {
        this.sink = Objects.requireNonNull(inbound, "inbound");
        running = true;
        endpoints.register(this);
    }

    @Override
    public void send(RaftMessage message) {
        if (!running) {
            framesDropped.incrementAndGet();
            return;
        }
        byte[] frame;
        try {
            frame = codec.encode(message);
        } catch (IllegalArgumentException tooLarge) {
            framesDropped.incrementAndGet();
            logRejection("a message too large to send to " + message.to() + ": " + tooLarge.getMessage());
            return;
        }
        if (authenticator != null) {
            frame = authenticator.sign(frame);
        }
        peers.computeIfAbsent(message.to(), Peer::new).offer(frame);
    }

    @Override
    public void stop() {
        running = false;
        endpoints.unregister(this);
        for (Peer p : peers.values()) {
            p.close();
        }
        peers.clear();
    }

    /**
     * Takes the body of a POST to {@code /raft/frames} for this node: delivers each valid frame to the node, rejects
     * and counts the others. Never throws for bad bytes.
     */
    void receive(byte[] body) {
        MessageSink s = sink;
        ByteBuffer b = ByteBuffer.wrap(body);
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                reject("a request whose body ends inside a frame length", false);
                return;
            }
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                reject("a frame length of " + length + " with " + b.remaining() + " bytes left", false);
                return;
            }
            int offset = b.position();
            b.position(offset + length);
            int frameLength = length;
            if (authenticator != null) {
                try {
                    frameLength = authenticator.verify(body, offset, length);
                } catch (MalformedFrameException e) {
                    reject(e.getMessage(), true);
                    continue;
                }
            }
            RaftMessage m;
            try {
                m = codec.decode(body, offset, frameLength);
            } catch (MalformedFrameException e) {
                reject(e.getMessage(), false);
                continue;
            }
            if (!nodeId.equals(m.to())) {
                reject("a frame for node " + m.to() + " (this is " + nodeId + ")", false);
                continue;
            }
            if (!running || s == null) {
                framesDropped.incrementAndGet();
                continue;
            }
            framesReceived.incrementAndGet();
            s.accept(m);
        }
    }

    private void reject(String why, boolean unauthenticated) {
        framesRejected.incrementAndGet();
        if (unauthenticated) {
            framesUnauthenticated.incrementAndGet();
        }
        logRejection("node " + nodeId + " of cluster " + clusterId + " rejected " + why);
    }

    private void logRejection(String line) {
        long now = System.nanoTime();
        long last = lastRejectionLog.get();
        if (now - last > Duration.ofSeconds(30).toNanos() && lastRejectionLog.compareAndSet(last, now)) {
            LOG.warn(line + " (such lines at most once per 30 s; counted in framesRejected)");
        }
    }

    public int maxBufferedPerPeer() {
        return maxBufferedPerPeer;
    }

    /** Frames queued now for every peer, not yet handed to the HTTP client. */
    public long framesBuffered() {
        long n = 0;
        for (Peer p : peers.values()) {
            n += p.size();
        }
        return n;
    }

    public long framesSent() {
        return framesSent.get();
    }

    public long framesReceived() {
        return framesReceived.get();
    }

    public long framesDropped() {
        return framesDropped.get();
    }

    public long framesRejected() {
        return framesRejected.get();
    }

    public long framesUnauthenticated() {
        return framesUnauthenticated.get();
    }

    @Override
    public String toString() {
        return "HttpTransport[" + clusterId + "/" + nodeId + (authenticator != null ? ", HMAC" : "") + "]";
    }

    private record Frame(byte[] bytes, long queuedAt) {
    }

    /** The queue of one peer, and the thread that sends it. */
    private final class Peer implements Runnable {
        private final String id;
        private final ArrayDeque<Frame> queue = new ArrayDeque<>();
        private final Thread thread;
        private boolean closed;

        Peer(String id) {
            this.id = id;
            this.thread = new Thread(this, "raft-http-" + nodeId + "-to-" + id);
            thread.setDaemon(true);
            thread.start();
        }

        void offer(byte[] frame) {
            synchronized (queue) {
                if (closed) {
                    framesDropped.incrementAndGet();
                    return;
                }
                if (queue.size() >= maxBufferedPerPeer) {
                    queue.pollFirst();
                    framesDropped.incrementAndGet();
                }
                queue.addLast(new Frame(frame, System.nanoTime()));
                queue.notify();
            }
        }

        int size() {
            synchronized (queue) {
                return queue.size();
            }
        }

        void close() {
            synchronized (queue) {
                closed = true;
                framesDropped.addAndGet(queue.size());
                queue.clear();
                queue.notify();
            }
            thread.interrupt();
        }

        @Override
        public void run() {
            long backOffMillis = 0;
            try {
                while (true) {
                    List<byte[]> batch = take(backOffMillis);
                    if (batch == null) {
                        return;
                    }
                    if (batch.isEmpty()) {
                        continue;
                    }
                    if (post(batch)) {
                        framesSent.addAndGet(batch.size());
                        backOffMillis = 0;
                    } else {
                        framesDropped.addAndGet(batch.size());
                        backOffMillis = backOffMillis == 0 ? 100 : Math.min(1000, backOffMillis * 2);
                    }
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }

        /** The next batch, once there is one (after the back-off); null once closed; frames too old dropped. */
        private List<byte[]> take(long backOffMillis) throws InterruptedException {
            synchronized (queue) {
                if (backOffMillis > 0) {
                    long until = System.nanoTime() + backOffMillis * 1_000_000;
                    for (long left = backOffMillis; !closed && left > 0;
                         left = (until - System.nanoTime()) / 1_000_000) {
                        queue.wait(left);
                    }
                }
                while (!closed && queue.isEmpty()) {
                    queue.wait();
                }
                if (closed) {
                    return null;
                }
                List<byte[]> batch = new ArrayList<>();
                long now = System.nanoTime();
                int bytes = 0;
                while (!queue.isEmpty()) {
                    Frame f = queue.peekFirst();
                    if (now - f.queuedAt() > timeToLiveNanos) {
                        queue.pollFirst();
                        framesDropped.incrementAndGet();
                        continue;
                    }
                    if (!batch.isEmpty() && bytes + f.bytes().length + 4 > MAX_BATCH_BYTES) {
                        break;
                    }
                    queue.pollFirst();
                    batch.add(f.bytes());
                    bytes += f.bytes().length + 4;
                }
                return batch;
            }
        }

        private boolean post(List<byte[]> batch) throws InterruptedException {
            URI base = peerUrls.apply(id);
            if (base == null) {
                logRejection("node " + nodeId + " has no URL for " + id + ": its frames are dropped");
                return false;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (byte[] f : batch) {
                body.write(f.length >>> 24);
                body.write(f.length >>> 16);
                body.write(f.length >>> 8);
                body.write(f.length);
                body.write(f, 0, f.length);
            }
            HttpRequest request = HttpRequest.newBuilder(base.resolve(PATH)).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/octet-stream").header(CLUSTER_HEADER, clusterId)
                    .header(NODE_HEADER, id).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                    .build();
            try {
                HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
                return r.statusCode() / 100 == 2;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
