package org.raftengine.testkit.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.core.message.ForwardCommand;
import org.raftengine.core.message.ForwardResponse;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.core.message.InstallSnapshotResponse;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.ReadIndexRequest;
import org.raftengine.core.message.ReadIndexResponse;
import org.raftengine.core.message.TimeoutNow;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.Transport;
import org.raftengine.core.wire.WireCodec;

/**
 * The conformance suite (TCK) every {@link Transport} must pass: extend it, say how to make a transport
 * on the medium under test, and run it with JUnit 5.
 *
 * <pre>{@code
 * class MyTransportConformanceTest extends TransportConformance {
 *     protected Transport newTransport(String clusterId, String nodeId) { return new MyTransport(...); }
 *     ...
 * }
 * }</pre>
 *
 * <p>What it checks, from the {@link Transport} contract: messages of every type arrive unaltered at
 * their target only; delivery is one-way (no implicit reply) and {@code send} never blocks or throws for a
 * peer that is unknown, down or stopped; two clusters on one medium never see each other's messages; a
 * peer that is down costs the sender a bounded buffer, not memory without end; a peer (or the sender)
 * that restarts under its old id is reached again. A medium that carries bytes also passes
 * {@link FrameTransportConformance}: garbage, truncated, foreign and misaddressed frames are rejected,
 * counted and survived.
 *
 * <p>Loss, duplication and reordering are legal, so the suite never asks for exactly-once or in-order
 * delivery, only that a healthy medium delivers. Every test uses a cluster id of its own, so a medium that
 * keeps messages (a broker queue) cannot leak one test into the next. Waits are bounded
 * ({@link #deliveryTimeout()}) and wake as soon as the awaited message arrives.
 */
public abstract class TransportConformance {

    /** Bytes of the entry payload in the messages of the bounded-buffer test. */
    private static final int PAYLOAD_BYTES = 1024;

    private final List<Transport> started = new ArrayList<>();

    /**
     * Makes a transport for node {@code nodeId} of cluster {@code clusterId} on the medium under test,
     * not yet started. Called many times per test, with cluster ids unique to the test; a second call with
     * the same ids is the same node restarted.
     */
    protected abstract Transport newTransport(String clusterId, String nodeId);

    /** Frames {@code transport} holds now, accepted by {@code send} and not yet handed to the medium. */
    protected abstract long bufferedFrames(Transport transport);

    /** The most frames the transport may hold for one peer (0 for a transport that never buffers). */
    protected abstract int maxBufferedFramesPerPeer();

    /** How long a healthy medium may take to deliver one message. */
    protected Duration deliveryTimeout() {
        return Duration.ofSeconds(30);
    }

    /** How long to watch for a message that must not arrive. */
    protected Duration quietPeriod() {
        return Duration.ofMillis(300);
    }

    /** A cluster id unique to this run of this test. */
    protected static String uniqueClusterId() {
        return "tck-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * A started transport and the inbox it delivers to.
     *
     * @param transport the transport under test, started
     * @param inbox     what it has delivered
     */
    protected record Node(Transport transport, Inbox inbox) {
        /** Sends through this node's transport. */
        void send(RaftMessage m) {
            transport.send(m);
        }
    }

    /** Makes and starts a transport for the node, delivering into a new inbox; stopped after the test. */
    protected final Node startNode(String clusterId, String nodeId) {
        Transport t = newTransport(clusterId, nodeId);
        Inbox inbox = new Inbox();
        t.start(inbox);
        started.add(t);
        return new Node(t, inbox);
    }

    @AfterEach
    final void stopTransports() throws Exception {
        for (Transport t : started) {
            t.stop();
        }
        started.clear();
        afterTransportsStopped();
    }

    /**
     * Called after each test, once every transport it started is stopped: the place to delete what the
     * test left on a shared medium (a broker's queues). Does nothing by default.
     */
    protected void afterTransportsStopped() throws Exception {
    }

    /** A vote request from {@code from} to {@code to} in {@code term}. */
    protected static VoteRequest vote(String from, String to, long term) {
        return new VoteRequest(from, to, 7, term, 10, 2, false, false);
    }

    private static AppendEntries append(String from, String to, long term, int payloadBytes) {
        byte[] data = new byte[payloadBytes];
        ByteBuffer.wrap(data).putLong(0, term);
        return new AppendEntries(from, to, 7, term, 4, 2, 4,
                List.of(LogEntry.of(5, term, EntryType.COMMAND, term, data)));
    }

    /** One message of each type and result kind, with non-ASCII text. */
    private static List<RaftMessage> everyKind(String from, String to) {
        LogEntry entry = LogEntry.of(5, 2, EntryType.COMMAND, 42, "é".getBytes(StandardCharsets.UTF_8));
        return List.of(
                new VoteRequest(from, to, 10, 3, 7, 2, true, false),
                new VoteResponse(from, to, 11, 3, true, true),
                new AppendEntries(from, to, 10, 3, 4, 2, 4, List.of(entry,
                        LogEntry.of(6, 3, EntryType.NOOP, 0, new byte[0]))),
                new AppendEntries(from, to, 10, 3, 4, 2, 4, List.of()),
                new AppendEntriesResponse(from, to, 11, 3, false, 0, 2, 3, 9),
                new ForwardCommand(from, to, 11, 3, 99, new byte[] {5, 6, 7}),
                new ForwardResponse(from, to, 10, 3, 99, new CommandResult.Ok(8, new byte[] {1})),
                new ForwardResponse(from, to, 10, 3, 98, new CommandResult.ApplicationError(8, "ключ")),
                new ForwardResponse(from, to, 10, 3, 97, new CommandResult.Redirect(null)),
                new ForwardResponse(from, to, 10, 3, 96, new CommandResult.Retry("busy")),
                new ForwardResponse(from, to, 10, 3, 95, new CommandResult.Indeterminate("timeout")),
                new InstallSnapshot(from, to, 10, 3, 40, 2, ClusterConfiguration.of(ClusterSettings.DEFAULTS, from, to),
                        9, 77, 4, new byte[] {1, 2, 3, 4, 5}),
                new InstallSnapshotResponse(from, to, 11, 3, 40, 2, 5, 9, true),
                new AppendEntries(from, to, 10, 3, 4, 2, 4, List.of(), 12),
                new AppendEntriesResponse(from, to, 11, 3, true, 4, 0, 0, 9, 12),
                new TimeoutNow(from, to, 10, 3, 1),
                new ReadIndexRequest(from, to, 11, 3, 94),
                new ReadIndexResponse(from, to, 10, 3, 94, true, 8));
    }

    /** Messages are compared by their encoding: records holding arrays do not compare by content. */
    private static void assertSameMessages(WireCodec codec, List<RaftMessage> expected, List<RaftMessage> actual) {
        Set<String> want = new HashSet<>();
        for (RaftMessage m : expected) {
            want.add(HexFormat.of().formatHex(codec.encode(m)));
        }
        Set<String> got = new HashSet<>();
        for (RaftMessage m : actual) {
            got.add(HexFormat.of().formatHex(codec.encode(m)));
        }
        assertEquals(want, got, "the messages received are not those sent");
    }

    private List<RaftMessage> takeN(Inbox inbox, int n, String what) throws InterruptedException {
        List<RaftMessage> out = new ArrayList<>();
        while (out.size() < n) {
            out.add(inbox.take(deliveryTimeout(), (out.size()) + " of " + n + " " + what));
        }
        return out;
    }

    @Test
    void deliversEveryMessageKindUnalteredToItsTargetOnly() throws Exception {
        String cluster = uniqueClusterId();
        WireCodec codec = new WireCodec(cluster);
        Node n1 = startNode(cluster, "n1");
        Node n2 = startNode(cluster, "n2");
        Node n3 = startNode(cluster, "n3");

        List<RaftMessage> toN2 = everyKind("n1", "n2");
        List<RaftMessage> toN1 = everyKind("n2", "n1");
        toN2.forEach(n1::send);
        toN1.forEach(n2::send);

        assertSameMessages(codec, toN2, takeN(n2.inbox(), toN2.size(), "messages n1 sent to n2"));
        assertSameMessages(codec, toN1, takeN(n1.inbox(), toN1.size(), "messages n2 sent to n1"));
        assertNull(n3.inbox().poll(quietPeriod()), "n3 received a message addressed to another node");
    }

    @Test
    void deliversAStreamOfMessagesInBothDirections() throws Exception {
        String cluster = uniqueClusterId();
        Node n1 = startNode(cluster, "n1");
        Node n2 = startNode(cluster, "n2");
        // In rounds no larger than the transport's buffer: a burst beyond it may legally lose the oldest.
        int round = maxBufferedFramesPerPeer() == 0 ? 100 : Math.min(100, maxBufferedFramesPerPeer());
        int rounds = 5;

        for (int r = 0; r < rounds; r++) {
            long first = (long) r * round + 1;
            for (long term = first; term < first + round; term++) {
                n1.send(vote("n1", "n2", term));
                n2.send(vote("n2", "n1", term));
            }
            assertEquals(round, termsReceived(n2.inbox(), round, first).size(), "messages n2 received from n1");
            assertEquals(round, termsReceived(n1.inbox(), round, first).size(), "messages n1 received from n2");
        }
    }

    /** The distinct terms of the votes received, until {@code count} distinct ones (duplicates are legal). */
    private Set<Long> termsReceived(Inbox inbox, int count) throws InterruptedException {
        return termsReceived(inbox, count, 1);
    }

    /** The distinct terms from {@code first} on received, until {@code count} of them; older ones are duplicates. */
    private Set<Long> termsReceived(Inbox inbox, int count, long first) throws InterruptedException {
        Set<Long> terms = new HashSet<>();
        while (terms.size() < count) {
            RaftMessage m = inbox.take(deliveryTimeout(), terms.size() + " of " + count + " messages");
            if (m.term() >= first) {
                terms.add(m.term());
            }
        }
        return terms;
    }

    @Test
    void deliversALargeFrameIntact() throws Exception {
        String cluster = uniqueClusterId();
        WireCodec codec = new WireCodec(cluster);
        Node n1 = startNode(cluster, "n1");
        Node n2 = startNode(cluster, "n2");
        byte[] data = new byte[256 * 1024];
        new Random(42).nextBytes(data);
        AppendEntries big = new AppendEntries("n1", "n2", 7, 3, 0, 0, 0,
                List.of(LogEntry.of(1, 3, EntryType.COMMAND, 1, data), LogEntry.of(2, 3, EntryType.COMMAND, 2, data)));

        n1.send(big);

        RaftMessage got = n2.inbox().take(deliveryTimeout(), "a 512 KiB AppendEntries");
        assertArrayEquals(codec.encode(big), codec.encode(got));
    }

    @Test
    void isOneWayAndNeverThrowsForAPeerThatIsUnknownOrStopped() throws Exception {
        String cluster = uniqueClusterId();
        Node n1 = startNode(cluster, "n1");
        Node n2 = startNode(cluster, "n2");

        n1.send(vote("n1", "n2", 1));
        n2.inbox().take(deliveryTimeout(), "the vote request");
        // A response is just another message: receiving one implies none going back.
        assertNull(n1.inbox().poll(quietPeriod()), "the sender received something it was never sent");

        long before = System.nanoTime();
        n1.send(vote("n1", "nobody", 2));
        n2.transport().stop();
        n1.send(vote("n1", "n2", 3));
        n2.send(vote("n2", "n1", 4)); // after its own stop: dropped, not thrown
        assertTrue(System.nanoTime() - before < Duration.ofSeconds(5).toNanos(), "send blocked");
        assertNull(n2.inbox().poll(quietPeriod()), "a stopped transport still delivered");
        assertNull(n1.inbox().poll(quietPeriod()), "a transport delivered a message sent after its stop");
    }

    @Test
    void keepsTwoClustersOnOneMediumApart() throws Exception {
        String clusterA = uniqueClusterId();
        String clusterB = uniqueClusterId();
        Node a1 = startNode(clusterA, "n1");
        Node a2 = startNode(clusterA, "n2");
        Node b1 = startNode(clusterB, "n1");
        Node b2 = startNode(clusterB, "n2");
        int count = 50;

        for (long term = 1; term <= count; term++) {
            b1.send(vote("n1", "n2", term));
        }
        assertEquals(count, termsReceived(b2.inbox(), count).size(), "messages within cluster B");
        a1.send(vote("n1", "n2", 1_000_000));

        RaftMessage first = a2.inbox().take(deliveryTimeout(), "cluster A's own message");
        assertEquals(1_000_000, first.term(), "cluster A's n2 received a message of cluster B");
        assertNull(a2.inbox().poll(quietPeriod()), "cluster A's n2 received a message of cluster B");
    }

    @Test
    void aPeerThatIsDownCostsABoundedBufferAndSendNeverBlocks() throws Exception {
        String cluster = uniqueClusterId();
        Node n1 = startNode(cluster, "n1");
        int sends = Math.max(10_000, 4 * maxBufferedFramesPerPeer());
        long slowest = 0;
        long maxBuffered = 0;

        long start = System.nanoTime();
        for (long term = 1; term <= sends; term++) {
            long before = System.nanoTime();
            n1.send(append("n1", "down", term, PAYLOAD_BYTES));
            slowest = Math.max(slowest, System.nanoTime() - before);
            maxBuffered = Math.max(maxBuffered, bufferedFrames(n1.transport()));
        }
        long total = System.nanoTime() - start;

        assertTrue(maxBuffered <= maxBufferedFramesPerPeer(), "held " + maxBuffered + " frames for a down peer, over "
                + "the bound of " + maxBufferedFramesPerPeer());
        assertTrue(total < Duration.ofSeconds(20).toNanos(), sends + " sends took " + total / 1_000_000 + " ms");
        assertTrue(slowest < Duration.ofSeconds(2).toNanos(), "one send blocked for " + slowest / 1_000_000 + " ms");
    }

    @Test
    void reachesAPeerThatRestartedUnderItsOldId() throws Exception {
        String cluster = uniqueClusterId();
        Node n1 = startNode(cluster, "n1");
        Node n2 = startNode(cluster, "n2");
        n1.send(vote("n1", "n2", 1));
        n2.inbox().take(deliveryTimeout(), "before the restart");

        n2.transport().stop();
        Node restarted = startNode(cluster, "n2");

        // Messages sent while it was down may be lost: resend until one arrives, as Raft does.
        assertTrue(resendUntilReceived(n1.transport(), restarted.inbox(), "n1", "n2"),
                "the restarted n2 was never reached");
        assertNull(n2.inbox().poll(Duration.ZERO), "the stopped n2 still received");
        restarted.send(vote("n2", "n1", 7));
        assertEquals(7, n1.inbox().take(deliveryTimeout(), "the restarted n2's reply").term());

        // And the sender restarting.
        n1.transport().stop();
        Node newN1 = startNode(cluster, "n1");
        assertTrue(resendUntilReceived(newN1.transport(), restarted.inbox(), "n1", "n2"),
                "n2 never heard from the restarted n1");
    }

    /** Sends vote requests until the inbox receives one (stale ones may come first); false at the deadline. */
    private boolean resendUntilReceived(Transport from, Inbox to, String fromId, String toId)
            throws InterruptedException {
        long deadline = System.nanoTime() + deliveryTimeout().toNanos();
        long term = 1_000;
        while (System.nanoTime() < deadline) {
            from.send(vote(fromId, toId, ++term));
            if (to.poll(Duration.ofMillis(200)) != null) {
                return true;
            }
        }
        return false;
    }
}
