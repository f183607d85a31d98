package org.raftengine.jms;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.MessageSink;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.core.wire.MalformedFrameException;
import org.raftengine.core.wire.WireCodec;

/**
 * A {@link Transport} over JMS queues of the application's own broker (any Jakarta Messaging 3.1
 * provider: ActiveMQ Artemis, RabbitMQ through its JMS client, an application server's broker).
 *
 * <pre>{@code
 * ConnectionFactory factory = ...; // the application's, e.g. new ActiveMQConnectionFactory("tcp://broker:61616")
 * JmsTransport transport = new JmsTransport(factory, JmsTransportConfig.of("n1", "orders"));
 * RaftNode node = new RaftNode(RaftNodeConfig.of("n1", "orders"), log, transport, stateMachine);
 * node.start(); // starts the transport too
 * }</pre>
 *
 * <p><b>Queues.</b> Each node receives on one queue, {@link JmsTransportConfig#queueName}
 * ({@code raft.<cluster>.<node>} by default), through one consumer; a peer's frames are sent to the
 * peer's queue. Nothing else must consume from these queues, and two nodes must never run under the same
 * id (both would take from one queue). The queues are made through {@code Session.createQueue}: the
 * broker must create them on first use (Artemis and RabbitMQ do by default) or have them configured.
 *
 * <p><b>Frames.</b> Each message is one {@link BytesMessage} holding one frame of the core's
 * {@link WireCodec}, followed by an HMAC-SHA256 tag when {@link JmsTransportConfig#authenticator} is set; or,
 * when several frames for a peer are waiting as the sender gets to them (under load), several such frames, each
 * after its length, with the int property {@value #FRAMES_PROPERTY} saying how many.
 * Messages are non-persistent by default and carry a time-to-live (the longest election timeout by
 * default): Raft retransmits, and a stale message is worse than none. Message ids and timestamps are
 * disabled. Received frames that are not bytes, too large, unauthenticated, malformed, of another cluster
 * or addressed to another node are rejected: counted, logged at most once per interval, and never
 * delivered; the node is not disturbed.
 *
 * <p><b>Threads.</b> {@link #send} only queues the message (a bounded queue per peer; when it is full the
 * oldest message is dropped and counted) and returns; one sender thread per transport encodes and sends,
 * serving the peers in turn, and a message that waited longer than its time-to-live is dropped rather than
 * sent. Inbound messages are decoded and handed to the node's sink on the JMS provider's delivery thread.
 *
 * <p><b>Faults.</b> When the connection fails (the broker stopped, the network cut), the sender thread
 * closes it and reconnects with back-off (from {@link JmsTransportConfig#reconnectMin}, doubling up to
 * {@link JmsTransportConfig#reconnectMax}); messages flow again without restarting the node. While the
 * broker is unreachable one warning is logged per {@link JmsTransportConfig#outageLogInterval}, with what
 * was dropped meanwhile, and one line when the connection is back. Broker passwords and HMAC keys are never
 * logged. Counters: {@link #framesSent}, {@link #framesReceived}, {@link #framesDropped},
 * {@link #framesRejected}.
 *
 * <p>Inside a Jakarta EE application server, give it the broker client's own connection factory, not a
 * container-managed one: those forbid the message listener and exception listener this transport uses.
 *
 * <p>Single use, like every transport: started once and stopped once; a restarted node takes a new one.
 * Thread-safe.
 */
public final class JmsTransport implements Transport {

    private static final System.Logger LOG = System.getLogger(JmsTransport.class.getName());

    /** {@code password=secret} (any case, also {@code passwd}, {@code pwd}) up to a separator. */
    private static final Pattern PASSWORD_PARAMETER =
            Pattern.compile("(?i)((?:password|passwd|pwd)\\s*[=:]\\s*)[^\\s;&,)\\]]+");

    /** {@code scheme://user:secret@host}. */
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(://[^:/@\\s]+:)[^@/\\s]+@");

    /** How long the sender thread sleeps when idle before it looks at the connection's state again. */
    private static final long IDLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * The int property of a JMS message that holds several frames, and how many: its body is then each frame
     * (signed, if so configured) after its length as a 4-byte int. The sender puts in one message the frames for a
     * peer that are already waiting when it sends (it never waits for more), up to {@link #MAX_FRAMES_PER_MESSAGE}
     * and a body within the frame limit: under load, a message per forwarded command and per reply cost the broker
     * and both clients more than the frames themselves. A message of one frame has no such property, as before.
     */
    static final String FRAMES_PROPERTY = "raftFrames";

    /** The most frames in one JMS message. */
    static final int MAX_FRAMES_PER_MESSAGE = 64;

    /** How long {@link #stop} waits for the sender thread to close its connection. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private enum State { NEW, STARTED, STOPPED }

    private final ConnectionFactory factory;
    private final JmsTransportConfig config;
    private final WireCodec codec;
    private final FrameAuthenticator authenticator;
    private final OutboundBuffers outbound;
    private final long ttlNanos;
    private final int deliveryMode;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong messagesSent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong unauthenticated = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();

    private final LogThrottle outageLog;
    private final LogThrottle rejectionLog;

    private volatile State state = State.NEW;
    private volatile MessageSink sink;
    private volatile Link link;
    private volatile boolean linkBroken;
    private volatile Exception linkFailure;
    private volatile boolean connected;
    private Thread sender;
    private long downSinceNanos; // sender thread only; 0 while connected
    private long failedAttempts; // sender thread only

    /**
     * A transport for one node; nothing is opened before {@link #start}.
     *
     * @param factory the application's connection factory for its broker
     * @param config  this node's settings
     */
    public JmsTransport(ConnectionFactory factory, JmsTransportConfig config) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.config = Objects.requireNonNull(config, "config");
        this.codec = new WireCodec(config.clusterId(), config.maxFrameBytes());
        this.authenticator = config.authenticator();
        this.outbound = new OutboundBuffers(config.maxBufferedPerPeer());
        this.ttlNanos = config.timeToLive().toNanos();
        this.deliveryMode = config.persistent() ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT;
        this.outageLog = new LogThrottle(config.outageLogInterval());
        this.rejectionLog = new LogThrottle(config.outageLogInterval());
    }

    /** This transport's settings. */
    public JmsTransportConfig config() {
        return config;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Starts the sender thread, which connects to the broker and starts consuming from this node's
     * queue. Does not wait for the broker: if it is down, the thread keeps trying (see
     * {@link #isConnected()}).
     *
     * @throws IllegalStateException if this transport was already started or stopped
     */
    @Override
    public synchronized void start(MessageSink inbound) {
        Objects.requireNonNull(inbound, "inbound");
        if (state != State.NEW) {
            throw new IllegalStateException("JMS transport of " + config.nodeId() + " is " + state
                    + ": it can be started once");
        }
        sink = inbound;
        state = State.STARTED;
        sender = new Thread(this::runSender, "raft-jms-" + config.nodeId());
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Queues the message for the sender thread and returns. When the peer's queue is full, its oldest
     * message is dropped and counted. Messages sent before {@link #start} wait for the connection; after
     * {@link #stop} they are dropped and counted.
     */
    @Override
    public void send(RaftMessage message) {
        Objects.requireNonNull(message, "message");
        if (state == State.STOPPED) {
            dropped.incrementAndGet();
            return;
        }
        int lost = outbound.offer(message, System.nanoTime());
        if (lost > 0) {
            dropped.addAndGet(lost);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Stops the sender thread, closes the connection (the consumer with it: nothing is delivered after
     * this returns) and drops, counting them, the messages not yet sent. Idempotent.
     */
    @Override
    public void stop() {
        Thread thread;
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.STOPPED;
            thread = sender;
        }
        if (thread != null) {
            outbound.wake();
            LockSupport.unpark(thread);
            try {
                thread.join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.log(Level.WARNING, "node {0}: the JMS sender thread did not stop within {1}; closing its"
                        + " connection from here", config.nodeId(), STOP_WAIT);
                Link l = link;
                if (l != null) {
                    l.close();
                }
            }
        }
        dropped.addAndGet(outbound.clear());
        connected = false;
    }

    /** True while this transport holds a working connection to the broker. */
    public boolean isConnected() {
        return connected;
    }

    /** Frames handed to the broker so far. */
    public long framesSent() {
        return sent.get();
    }

    /**
     * JMS messages handed to the broker so far: fewer than {@link #framesSent()} when frames waiting for the same
     * peer went in one message (see {@link #FRAMES_PROPERTY}).
     */
    public long messagesSent() {
        return messagesSent.get();
    }

    /** Frames received, accepted and handed to the node so far. */
    public long framesReceived() {
        return received.get();
    }

    /**
     * Frames dropped so far: outbound ones pushed out of a full per-peer buffer, older than their
     * time-to-live before they could be sent ({@link #framesExpired}), lost in a failed send, too large to
     * encode, or sent after {@link #stop}; inbound ones the node refused to take (it was stopping).
     */
    public long framesDropped() {
        return dropped.get();
    }

    /** Of {@link #framesDropped}, the frames that waited longer than their time-to-live in the buffer. */
    public long framesExpired() {
        return expired.get();
    }

    /**
     * Frames received and rejected so far: not a {@code BytesMessage}, over the size limit, without a
     * valid authentication tag ({@link #framesUnauthenticated}), malformed, of another cluster, or addressed
     * to another node.
     */
    public long framesRejected() {
        return rejected.get();
    }

    /** Of {@link #framesRejected}, the frames refused for a missing or wrong HMAC tag. */
    public long framesUnauthenticated() {
        return unauthenticated.get();
    }

    /** Frames waiting to be sent, all peers together (at most the per-peer bound per peer). */
    public int framesBuffered() {
        return outbound.size();
    }

    /** Connections re-established after a failure so far. */
    public long reconnects() {
        return reconnects.get();
    }

    // ---- sender thread ----

    private void runSender() {
        long backoff = config.reconnectMin().toNanos();
        Link current = null;
        try {
            while (state == State.STARTED) {
                if (current == null) {
                    try {
                        linkBroken = false;
                        current = new Link();
                        link = current;
                        connected = true;
                        onConnected();
                        backoff = config.reconnectMin().toNanos();
                    } catch (JMSException | RuntimeException e) {
                        onUnreachable(e);
                        pause(backoff);
                        backoff = Math.min(backoff * 2, config.reconnectMax().toNanos());
                    }
                    continue;
                }
                if (linkBroken) {
                    connected = false;
                    link = null;
                    current.close();
                    current = null;
                    Exception cause = linkFailure;
                    onUnreachable(cause != null ? cause : new JMSException("connection failed"));
                    continue;
                }
                OutboundBuffers.Pending next = outbound.take(IDLE_WAIT_NANOS);
                if (next != null) {
                    send(current, next, outbound.takeMore(next.message().to(), MAX_FRAMES_PER_MESSAGE - 1));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connected = false;
            link = null;
            if (current != null) {
                current.close();
            }
        }
    }

    /**
     * Sends {@code first} and the messages for the same peer that were waiting behind it ({@code more}), in that
     * order: in one JMS message when there are several (see {@link #FRAMES_PROPERTY}), as long as the body stays
     * within the frame limit, else in as many as it takes. A frame whose time-to-live ran out is dropped; the
     * message's time-to-live is the shortest left among its frames.
     */
    private void send(Link current, OutboundBuffers.Pending first, List<OutboundBuffers.Pending> more) {
        List<byte[]> frames = new ArrayList<>(1 + more.size());
        long bodyBytes = 0;
        long ttlLeftMillis = Long.MAX_VALUE;
        String peer = first.message().to();
        for (int k = -1; k < more.size(); k++) {
            OutboundBuffers.Pending pending = k < 0 ? first : more.get(k);
            long ttlLeft = ttlLeftMillis(pending);
            if (ttlLeft < 0) {
                continue;
            }
            byte[] frame = frameOf(pending);
            if (frame == null) {
                continue;
            }
            if (!frames.isEmpty() && bodyBytes + 4L + frame.length > config.maxFrameBytes()) {
                sendFrames(current, peer, frames, ttlLeftMillis);
                frames.clear();
                bodyBytes = 0;
                ttlLeftMillis = Long.MAX_VALUE;
            }
            frames.add(frame);
            bodyBytes += 4L + frame.length;
            if (ttlLeft > 0) {
                ttlLeftMillis = Math.min(ttlLeftMillis, ttlLeft);
            }
        }
        if (!frames.isEmpty()) {
            sendFrames(current, peer, frames, ttlLeftMillis);
        }
    }

    /** The time-to-live left of {@code pending} in ms, 0 for none, or -1 (counted as dropped) if it ran out. */
    private long ttlLeftMillis(OutboundBuffers.Pending pending) {
        if (ttlNanos <= 0) {
            return 0;
        }
        long left = ttlNanos - (System.nanoTime() - pending.offeredNanos());
        if (left <= 0) {
            expired.incrementAndGet();
            dropped.incrementAndGet();
            return -1;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
    }

    /** The frame of {@code pending}, signed if so configured; null (counted as dropped) if it cannot be encoded. */
    private byte[] frameOf(OutboundBuffers.Pending pending) {
        byte[] frame;
        try {
            frame = codec.encode(pending.message());
        } catch (IllegalArgumentException e) { // over the frame limit: the peer would refuse it too
            dropped.incrementAndGet();
            LOG.log(Level.WARNING, "node {0}: frame not sent: {1}", config.nodeId(), e.getMessage());
            return null;
        }
        return authenticator != null ? authenticator.sign(frame) : frame;
    }

    private void sendFrames(Link current, String peer, List<byte[]> frames, long ttlLeftMillis) {
        try {
            current.send(peer, frames, ttlLeftMillis == Long.MAX_VALUE ? 0 : ttlLeftMillis);
            sent.addAndGet(frames.size());
            messagesSent.incrementAndGet();
        } catch (JMSException | RuntimeException e) {
            dropped.addAndGet(frames.size());
            linkFailure = e;
            linkBroken = true;
        }
    }

    /** Waits for {@code nanos}, or less if the transport is stopped meanwhile. */
    private void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left = nanos;
        while (left > 0 && state == State.STARTED) {
            LockSupport.parkNanos(this, left);
            left = deadline - System.nanoTime();
        }
    }

    private void onConnected() {
        if (downSinceNanos == 0) {
            LOG.log(Level.INFO, "node {0}: connected to the JMS broker, receiving on queue {1}", config.nodeId(),
                    config.ownQueueName());
        } else {
            reconnects.incrementAndGet();
            LOG.log(Level.INFO, "node {0}: reconnected to the JMS broker after {1} ms and {2} failed attempts;"
                            + " {3} frames dropped so far", config.nodeId(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSinceNanos), failedAttempts, dropped.get());
        }
        downSinceNanos = 0;
        failedAttempts = 0;
        outageLog.reset();
    }

    private void onUnreachable(Exception cause) {
        long now = System.nanoTime();
        if (downSinceNanos == 0) {
            downSinceNanos = now;
        }
        failedAttempts++;
        if (outageLog.due(now)) {
            LOG.log(Level.WARNING, "node {0}: JMS broker unreachable for {1} ms ({2}); retrying with back-off up to"
                            + " {3} ms; {4} frames buffered, {5} dropped so far", config.nodeId(),
                    TimeUnit.NANOSECONDS.toMillis(now - downSinceNanos), describe(cause),
                    config.reconnectMax().toMillis(), outbound.size(), dropped.get());
        }
    }

    /**
     * The exception's class and message, and its first cause's, never its stack: for one log line. A
     * provider may quote its connection URL; a password in it (user:password@, password=...) is masked.
     */
    static String describe(Throwable e) {
        String s = e.getClass().getSimpleName() + ": " + e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            s += " (caused by " + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
        }
        return PASSWORD_IN_URL.matcher(PASSWORD_PARAMETER.matcher(s).replaceAll("$1****"))
                .replaceAll("$1****@");
    }

    // ---- delivery thread(s) of the JMS provider ----

    private void onMessage(Message message) {
        try {
            if (state != State.STARTED) {
                return;
            }
            if (!(message instanceof BytesMessage bytes)) {
                reject("not a BytesMessage but a " + message.getClass().getSimpleName());
                return;
            }
            long length = bytes.getBodyLength();
            long limit = (long) config.maxFrameBytes() + (authenticator != null ? FrameAuthenticator.TAG_BYTES : 0);
            if (length > limit) {
                reject("a body of " + length + " bytes, over the limit of " + limit);
                return;
            }
            byte[] buf = new byte[(int) length];
            if (length > 0 && bytes.readBytes(buf) != length) {
                reject("a body shorter than its declared " + length + " bytes");
                return;
            }
            if (!bytes.propertyExists(FRAMES_PROPERTY)) {
                deliver(buf, 0, buf.length);
                return;
            }
            int frames = bytes.getIntProperty(FRAMES_PROPERTY);
            if (frames < 1 || frames > MAX_FRAMES_PER_MESSAGE) {
                reject("a message of " + frames + " frames");
                return;
            }
            int at = 0;
            for (int k = 0; k < frames; k++) {
                int frameLength = buf.length - at >= 4 ? java.nio.ByteBuffer.wrap(buf, at, 4).getInt() : -1;
                if (frameLength < 0 || frameLength > buf.length - at - 4) {
                    reject("frame " + k + " of " + frames + " runs past the body of " + buf.length + " bytes");
                    return;
                }
                at += 4;
                deliver(buf, at, frameLength);
                at += frameLength;
            }
            if (at != buf.length) {
                reject((buf.length - at) + " bytes after the last of " + frames + " frames");
            }
        } catch (MalformedFrameException e) {
            reject(e.getMessage());
        } catch (JMSException | RuntimeException e) {
            reject("an unreadable message: " + describe(e));
        }
    }

    /** Verifies, decodes and hands to the node the frame at {@code buf[off..off+len)}; a bad one is rejected. */
    private void deliver(byte[] buf, int off, int len) {
        try {
            int frameLength = len;
            if (authenticator != null) {
                try {
                    frameLength = authenticator.verify(buf, off, len);
                } catch (MalformedFrameException e) {
                    unauthenticated.incrementAndGet();
                    reject(e.getMessage());
                    return;
                }
            }
            RaftMessage m = codec.decode(buf, off, frameLength);
            if (!config.nodeId().equals(m.to())) {
                reject("a frame from " + m.from() + " addressed to " + m.to());
                return;
            }
            received.incrementAndGet();
            try {
                sink.accept(m);
            } catch (RuntimeException e) { // the node is stopping: its queue refuses work
                dropped.incrementAndGet();
            }
        } catch (MalformedFrameException e) {
            reject(e.getMessage());
        }
    }

    private void reject(String why) {
        long n = rejected.incrementAndGet();
        if (rejectionLog.due(System.nanoTime())) {
            LOG.log(Level.WARNING, "node {0}: rejected a message on queue {1}: {2} ({3} rejected so far; next such"
                    + " line at most in {4} s)", config.nodeId(), config.ownQueueName(), why, n,
                    config.outageLogInterval().toSeconds());
        }
    }

    /** Called by the provider when the connection fails; only the current connection's failure counts. */
    private void onConnectionFailure(Link failed, JMSException e) {
        if (link == failed || link == null) {
            linkFailure = e;
            linkBroken = true;
            outbound.wake();
        }
    }

    /** A short description for logs: the node, its queue, the counters. */
    @Override
    public String toString() {
        return "JmsTransport[" + config.nodeId() + " on " + config.ownQueueName() + ", " + state
                + (connected ? ", connected" : ", not connected") + ", sent=" + sent.get() + ", received="
                + received.get() + ", dropped=" + dropped.get() + ", rejected=" + rejected.get() + "]";
    }

    /** One connection: a session for sending (sender thread only) and one consuming this node's queue. */
    private final class Link {

        private final Connection connection;
        private final Session session;
        private final Map<String, MessageProducer> producers = new HashMap<>();

        Link() throws JMSException {
            connection = config.username() == null ? factory.createConnection()
                    : factory.createConnection(config.username(), config.password());
            boolean ok = false;
            try {
                connection.setExceptionListener(e -> onConnectionFailure(this, e));
                session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                // Duplicates are legal for Raft, so acknowledgements may be lazy (and cheap).
                Session in = connection.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
                MessageConsumer consumer = in.createConsumer(in.createQueue(config.ownQueueName()));
                consumer.setMessageListener(JmsTransport.this::onMessage);
                connection.start();
                ok = true;
            } finally {
                if (!ok) {
                    close();
                }
            }
        }

        void send(String peer, List<byte[]> frames, long ttlMillis) throws JMSException {
            MessageProducer producer = producers.get(peer);
            if (producer == null) {
                producer = session.createProducer(session.createQueue(config.queueName(peer)));
                producer.setDisableMessageID(true);
                producer.setDisableMessageTimestamp(true);
                producers.put(peer, producer);
            }
            BytesMessage message = session.createBytesMessage();
            if (frames.size() == 1) {
                message.writeBytes(frames.get(0));
            } else {
                message.setIntProperty(FRAMES_PROPERTY, frames.size());
                for (byte[] frame : frames) {
                    message.writeInt(frame.length);
                    message.writeBytes(frame);
                }
            }
            producer.send(message, deliveryMode, Message.DEFAULT_PRIORITY, ttlMillis);
        }

        void close() {
            try {
                connection.close();
            } catch (JMSException | RuntimeException e) {
                LOG.log(Level.DEBUG, "node {0}: closing a failed JMS connection: {1}", config.nodeId(), describe(e));
            }
        }
    }
}
