package org.raftengine.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.wire.FrameAuthenticator;
import org.raftengine.core.wire.WireCodec;
import org.raftengine.testkit.tck.Inbox;
import org.raftengine.jms.brokers.ArtemisBroker;

/** What the conformance suite does not cover: authentication, broker outages, expiry, counters, logs. */
class JmsTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String K1 = "key one, thirty-two bytes long..";
    private static final String K2 = "key two, thirty-two bytes long..";
    private static final String K3 = "key three, not known to anyone..";

    private ArtemisBroker broker;
    private final String cluster = "t-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<JmsTransport> transports = new ArrayList<>();

    @BeforeEach
    void startBroker() throws Exception {
        broker = new ArtemisBroker().start();
    }

    @AfterEach
    void stopAll() throws Exception {
        transports.forEach(JmsTransport::stop);
        broker.close();
    }

    private JmsTransportConfig config(String node) {
        return JmsTransportConfig.of(node, cluster).withTimeToLive(WAIT)
                .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    private JmsTransport start(ConnectionFactory factory, JmsTransportConfig config, Inbox inbox) {
        JmsTransport t = new JmsTransport(factory, config);
        transports.add(t);
        t.start(inbox);
        return t;
    }

    private static VoteRequest vote(String from, String to, long term) {
        return new VoteRequest(from, to, 1, term, 0, 0, false, false);
    }

    /** Puts raw frames on a node's queue from a producer of the test's own, in order. */
    private void injectBytes(String node, byte[]... frames) throws Exception {
        broker.put(config(node).ownQueueName(), frames);
    }

    /** Sends until the inbox receives (a restart may lose what was sent meanwhile); fails at the deadline. */
    private static RaftMessage resendUntilReceived(JmsTransport from, Inbox to, String fromId, String toId)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (long term = 1_000_000; System.nanoTime() < deadline; term++) {
            from.send(vote(fromId, toId, term));
            RaftMessage m = to.poll(Duration.ofMillis(200));
            if (m != null) {
                return m;
            }
        }
        throw new AssertionError(toId + " never heard from " + fromId);
    }

    @Test
    void countsWhatItSendsAndReceives() throws Exception {
        Inbox at2 = new Inbox();
        JmsTransport n1 = start(broker.inVmFactory(), config("n1"), new Inbox());
        JmsTransport n2 = start(broker.inVmFactory(), config("n2"), at2);

        for (int i = 1; i <= 100; i++) {
            n1.send(vote("n1", "n2", i));
        }
        for (int i = 1; i <= 100; i++) {
            at2.take(WAIT, "message " + i);
        }

        // The sender counts a message once the broker took it, which may be after the receiver has it.
        await().atMost(WAIT).untilAsserted(() -> assertThat(n1.framesSent()).isEqualTo(100));
        assertThat(n2.framesReceived()).isEqualTo(100);
        assertThat(n1.framesDropped()).isZero();
        assertThat(n2.framesRejected()).isZero();
        assertThat(n1.isConnected()).isTrue();
        assertThat(n1.toString()).contains("n1", "sent=100");
    }

    @Test
    void framesWaitingForAPeerGoInOneMessageAndArriveInOrder() throws Exception {
        FrameAuthenticator auth = FrameAuthenticator.fromSecrets(K1, null);
        Inbox at2 = new Inbox();
        JmsTransport n2 = start(broker.inVmFactory(), config("n2").withAuthenticator(auth), at2);
        await().atMost(WAIT).until(n2::isConnected);
        JmsTransport n1 = new JmsTransport(broker.inVmFactory(), config("n1").withAuthenticator(auth));
        transports.add(n1);
        for (int i = 1; i <= 40; i++) {
            n1.send(vote("n1", "n2", i)); // before the start: all of them wait for the connection
        }

        n1.start(new Inbox());
        for (int i = 1; i <= 40; i++) {
            assertThat(at2.take(WAIT, "message " + i).term()).isEqualTo(i);
        }

        // The sender counts a message once the broker took it, which may be after the receiver has it.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(n1.framesSent()).isEqualTo(40);
            assertThat(n1.messagesSent()).isEqualTo(1);
        });
        assertThat(n2.framesReceived()).isEqualTo(40);
        assertThat(n2.framesRejected()).isZero();
    }

    @Test
    void withHmacOnRefusesUnsignedAndWronglySignedFrames() throws Exception {
        FrameAuthenticator auth = FrameAuthenticator.fromSecrets(K1, null);
        Inbox at2 = new Inbox();
        JmsTransport n2 = start(broker.inVmFactory(), config("n2").withAuthenticator(auth), at2);
        await().atMost(WAIT).until(n2::isConnected);
        WireCodec codec = new WireCodec(cluster);

        injectBytes("n2",
                codec.encode(vote("n1", "n2", 1)),                                           // unsigned
                FrameAuthenticator.fromSecrets(K3, null).sign(codec.encode(vote("n1", "n2", 2))), // unknown key
                auth.sign(codec.encode(vote("n1", "n2", 3))));

        assertThat(at2.take(WAIT, "the signed frame").term()).isEqualTo(3);
        assertThat(n2.framesUnauthenticated()).isEqualTo(2);
        assertThat(n2.framesRejected()).isEqualTo(2);
        assertThat(n2.framesReceived()).isEqualTo(1);
    }

    @Test
    void keyRotationAcceptsThePreviousKeyDuringTheRoll() throws Exception {
        Inbox at1 = new Inbox();
        Inbox at2 = new Inbox();
        JmsTransport oldN1 = start(broker.inVmFactory(),
                config("n1").withAuthenticator(FrameAuthenticator.fromSecrets(K1, null)), at1);
        JmsTransport rolledN2 = start(broker.inVmFactory(),
                config("n2").withAuthenticator(FrameAuthenticator.fromSecrets(K2, K1)), at2);

        // n2 already signs with the new key and still accepts the old one.
        oldN1.send(vote("n1", "n2", 1));
        assertThat(at2.take(WAIT, "n1's frame signed with the previous key").term()).isEqualTo(1);
        rolledN2.send(vote("n2", "n1", 2));
        await().atMost(WAIT).until(() -> oldN1.framesUnauthenticated() == 1);
        assertThat(at1.poll(Duration.ZERO)).isNull();

        // n1 rolls too: both sign with the new key and the cluster talks again.
        oldN1.stop();
        Inbox at1Again = new Inbox();
        JmsTransport rolledN1 = start(broker.inVmFactory(),
                config("n1").withAuthenticator(FrameAuthenticator.fromSecrets(K2, K1)), at1Again);
        assertThat(resendUntilReceived(rolledN2, at1Again, "n2", "n1").from()).isEqualTo("n2");
        assertThat(rolledN1.framesUnauthenticated()).isZero();
    }

    @Test
    void refusesMessagesThatAreNotBytes() throws Exception {
        Inbox at2 = new Inbox();
        JmsTransport n2 = start(broker.inVmFactory(), config("n2"), at2);
        await().atMost(WAIT).until(n2::isConnected);

        try (Connection c = broker.inVmFactory().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createQueue(config("n2").ownQueueName()));
            p.send(s.createTextMessage("hello"));
            p.send(s.createMapMessage());
            var frame = s.createBytesMessage();
            frame.writeBytes(new WireCodec(cluster).encode(vote("n1", "n2", 9)));
            p.send(frame);
        }

        assertThat(at2.take(WAIT, "the frame after the others").term()).isEqualTo(9);
        assertThat(n2.framesRejected()).isEqualTo(2);
    }

    @Test
    void refusesAFrameOverTheSizeLimitBeforeReadingIt() throws Exception {
        Inbox at2 = new Inbox();
        JmsTransport n2 = start(broker.inVmFactory(), config("n2").withMaxFrameBytes(1024), at2);
        await().atMost(WAIT).until(n2::isConnected);
        WireCodec codec = new WireCodec(cluster);

        injectBytes("n2", new byte[4096], codec.encode(vote("n1", "n2", 4)));

        assertThat(at2.take(WAIT, "the small frame").term()).isEqualTo(4);
        assertThat(n2.framesRejected()).isEqualTo(1);
    }

    @Test
    void survivesABrokerOutageWithABoundedBufferAndOneLogLine() throws Exception {
        CountingConnectionFactory factory = new CountingConnectionFactory(broker.tcpFactory());
        Inbox at1 = new Inbox();
        Inbox at2 = new Inbox();
        int bound = 64;
        try (LogCapture log = new LogCapture()) {
            JmsTransport n1 = start(factory, config("n1").withMaxBufferedPerPeer(bound)
                    .withCredentials("raft", "pw-never-logged").withOutageLogInterval(Duration.ofHours(1)), at1);
            JmsTransport n2 = start(broker.tcpFactory(), config("n2"), at2);
            n1.send(vote("n1", "n2", 1));
            at2.take(WAIT, "before the outage");

            broker.stop();
            await().atMost(WAIT).until(() -> !n1.isConnected());
            int attemptsBefore = factory.attempts();
            for (int i = 0; i < 5_000; i++) {
                n1.send(vote("n1", "n2", 10 + i));
            }
            assertThat(n1.framesBuffered()).isLessThanOrEqualTo(bound);
            assertThat(n1.framesDropped()).isGreaterThanOrEqualTo(5_000 - bound);
            // Many failed attempts, one line: not one per attempt, nor per message.
            await().atMost(WAIT).until(() -> factory.attempts() >= attemptsBefore + 10);
            assertThat(log.linesContaining("node n1: JMS broker unreachable")).hasSize(1);

            broker.start();
            await().atMost(WAIT).until(() -> n1.isConnected() && n2.isConnected());
            // The buffered frames (the newest, within their time-to-live) go out first, then fresh ones.
            assertThat(resendUntilReceived(n1, at2, "n1", "n2").from()).isEqualTo("n1");
            assertThat(resendUntilReceived(n2, at1, "n2", "n1").from()).isEqualTo("n2");
            assertThat(n1.reconnects()).isEqualTo(1);
            assertThat(log.linesContaining("node n1: reconnected to the JMS broker")).hasSize(1);
            assertThat(log.lines()).noneMatch(line -> line.contains("pw-never-logged"));
        }
    }

    @Test
    void dropsBufferedFramesOlderThanTheirTimeToLive() throws Exception {
        Duration ttl = Duration.ofMillis(300);
        Inbox at2 = new Inbox();
        JmsTransport n1 = start(broker.tcpFactory(), config("n1").withTimeToLive(ttl), new Inbox());
        start(broker.tcpFactory(), config("n2"), at2);
        await().atMost(WAIT).until(n1::isConnected);

        broker.stop();
        await().atMost(WAIT).until(() -> !n1.isConnected());
        long sentAt = System.nanoTime();
        for (int i = 1; i <= 5; i++) {
            n1.send(vote("n1", "n2", i));
        }
        // The frames must outlive their time-to-live before the broker is back.
        await().atMost(WAIT).until(() -> System.nanoTime() - sentAt > ttl.toNanos());
        broker.start();

        await().atMost(WAIT).until(() -> n1.framesExpired() == 5);
        RaftMessage fresh = resendUntilReceived(n1, at2, "n1", "n2");
        assertThat(fresh.term()).isGreaterThanOrEqualTo(1_000_000); // none of the stale ones
        assertThat(n1.framesDropped()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void masksPasswordsThatABrokerClientQuotesInItsErrors() {
        String line = JmsTransport.describe(new jakarta.jms.JMSException(
                "cannot connect to tcp://h:61616?user=app&password=s3cret-1;retry=1 or amqp://bob:hunter2@h:5672/",
                "E1"));

        assertThat(line).doesNotContain("s3cret-1").doesNotContain("hunter2")
                .contains("password=****", "amqp://bob:****@h:5672/", "user=app", "retry=1");
    }

    @Test
    void startsOnceOnly() {
        JmsTransport t = start(broker.inVmFactory(), config("n1"), new Inbox());

        assertThatThrownBy(() -> t.start(new Inbox())).isInstanceOf(IllegalStateException.class);
        t.stop();
        t.stop(); // idempotent
        t.send(vote("n1", "n2", 1));
        assertThat(t.framesDropped()).isEqualTo(1);
        assertThat(t.isConnected()).isFalse();
    }
}
