package org.raftengine.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.wire.WireCodec;

class LocalTransportTest {

    private static VoteRequest vote(String from, String to, long term) {
        return new VoteRequest(from, to, 11, term, 5, 2, false, false);
    }

    @Test
    void deliversToTheTargetsSinkOnly() {
        LocalNetwork network = new LocalNetwork();
        Queue<RaftMessage> atN1 = new ConcurrentLinkedQueue<>();
        Queue<RaftMessage> atN2 = new ConcurrentLinkedQueue<>();
        LocalTransport t1 = network.transport("n1");
        LocalTransport t2 = network.transport("n2");
        t1.start(atN1::add);
        t2.start(atN2::add);

        VoteRequest request = vote("n1", "n2", 3);
        t1.send(request);
        VoteResponse response = new VoteResponse("n2", "n1", 22, 3, false, true);
        t2.send(response);

        // Direct hand-off: delivered before send returns, and unaltered.
        assertThat(atN2).containsExactly(request);
        assertThat(atN1).containsExactly(response);
        assertThat(network.delivered()).isEqualTo(2);
        assertThat(network.dropped()).isZero();
    }

    @Test
    void keepsEachSendersOrder() {
        LocalNetwork network = new LocalNetwork();
        Queue<RaftMessage> atN2 = new ConcurrentLinkedQueue<>();
        LocalTransport t1 = network.transport("n1");
        network.transport("n2").start(atN2::add);

        for (long term = 1; term <= 100; term++) {
            t1.send(vote("n1", "n2", term));
        }

        assertThat(atN2).extracting(RaftMessage::term)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
    }

    @Test
    void dropsAndCountsMessagesToAnUnknownTarget() {
        LocalNetwork network = new LocalNetwork();
        LocalTransport t1 = network.transport("n1");
        t1.start(m -> { });

        t1.send(vote("n1", "nobody", 1));
        t1.send(vote("n1", "nobody", 2));

        assertThat(network.dropped()).isEqualTo(2);
        assertThat(network.delivered()).isZero();
    }

    @Test
    void dropsMessagesToAStoppedTarget() {
        LocalNetwork network = new LocalNetwork();
        Queue<RaftMessage> atN2 = new ConcurrentLinkedQueue<>();
        LocalTransport t1 = network.transport("n1");
        LocalTransport t2 = network.transport("n2");
        t2.start(atN2::add);

        t2.stop();
        t1.send(vote("n1", "n2", 1));

        assertThat(atN2).isEmpty();
        assertThat(network.dropped()).isEqualTo(1);
    }

    @Test
    void dropsMessagesSentAfterTheSenderStopped() {
        LocalNetwork network = new LocalNetwork();
        Queue<RaftMessage> atN2 = new ConcurrentLinkedQueue<>();
        LocalTransport t1 = network.transport("n1");
        t1.start(m -> { });
        network.transport("n2").start(atN2::add);

        t1.stop();
        t1.send(vote("n1", "n2", 1));

        assertThat(atN2).isEmpty();
        assertThat(network.dropped()).isEqualTo(1);
    }

    @Test
    void aRestartedNodeTakesANewTransportUnderTheSameId() {
        LocalNetwork network = new LocalNetwork();
        Queue<RaftMessage> before = new ConcurrentLinkedQueue<>();
        Queue<RaftMessage> after = new ConcurrentLinkedQueue<>();
        LocalTransport t1 = network.transport("n1");
        LocalTransport first = network.transport("n2");
        first.start(before::add);
        first.stop();

        LocalTransport second = network.transport("n2");
        second.start(after::add);
        // A late, repeated stop of the old transport must not evict the new one.
        first.stop();
        t1.send(vote("n1", "n2", 1));

        assertThat(before).isEmpty();
        assertThat(after).hasSize(1);
    }

    @Test
    void refusesTwoStartedTransportsWithTheSameId() {
        LocalNetwork network = new LocalNetwork();
        network.transport("n1").start(m -> { });
        LocalTransport duplicate = network.transport("n1");

        assertThatThrownBy(() -> duplicate.start(m -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("n1");
    }

    @Test
    void aTransportStartsOnlyOnce() {
        LocalNetwork network = new LocalNetwork();
        LocalTransport t = network.transport("n1");
        t.start(m -> { });
        assertThatThrownBy(() -> t.start(m -> { })).isInstanceOf(IllegalStateException.class);
        t.stop();
        assertThatThrownBy(() -> t.start(m -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSinkThatRefusesIsALostPeerNotAnErrorForTheSender() {
        LocalNetwork network = new LocalNetwork();
        LocalTransport t1 = network.transport("n1");
        network.transport("n2").start(m -> {
            throw new RejectedExecutionException("executor shut down");
        });

        t1.send(vote("n1", "n2", 1));

        assertThat(network.dropped()).isEqualTo(1);
        assertThat(network.delivered()).isZero();
    }

    @Test
    void isolationDropsTrafficBothWaysUntilHealed() {
        LocalNetwork network = new LocalNetwork();
        Queue<RaftMessage> atN1 = new ConcurrentLinkedQueue<>();
        Queue<RaftMessage> atN2 = new ConcurrentLinkedQueue<>();
        Queue<RaftMessage> atN3 = new ConcurrentLinkedQueue<>();
        LocalTransport t1 = network.transport("n1");
        LocalTransport t2 = network.transport("n2");
        LocalTransport t3 = network.transport("n3");
        t1.start(atN1::add);
        t2.start(atN2::add);
        t3.start(atN3::add);

        network.isolate("n1");
        assertThat(network.isIsolated("n1")).isTrue();
        t1.send(vote("n1", "n2", 1));
        t2.send(vote("n2", "n1", 1));
        // Traffic between the others is untouched.
        t2.send(vote("n2", "n3", 1));

        assertThat(atN1).isEmpty();
        assertThat(atN2).isEmpty();
        assertThat(atN3).hasSize(1);
        assertThat(network.dropped()).isEqualTo(2);

        network.heal("n1");
        assertThat(network.isIsolated("n1")).isFalse();
        t1.send(vote("n1", "n2", 2));
        t2.send(vote("n2", "n1", 2));

        assertThat(atN1).hasSize(1);
        assertThat(atN2).hasSize(1);
        assertThat(network.dropped()).isEqualTo(2);
    }

    @Test
    void codecPassThroughDeliversAnEqualMessage() {
        LocalNetwork network = new LocalNetwork(new WireCodec("cluster-a"));
        Queue<RaftMessage> atN2 = new ConcurrentLinkedQueue<>();
        LocalTransport t1 = network.transport("n1");
        network.transport("n2").start(atN2::add);
        AppendEntries sent = new AppendEntries("n1", "n2", 11, 4, 9, 3, 8, List.of(
                LogEntry.command(10, 4, "set x=1".getBytes(StandardCharsets.UTF_8)),
                LogEntry.of(11, 4, EntryType.NOOP, 0, new byte[0])));

        t1.send(sent);

        assertThat(atN2).hasSize(1);
        RaftMessage received = atN2.peek();
        // Not the same object: it really went through bytes.
        assertThat(received).isNotSameAs(sent).isEqualTo(sent);
        assertThat(network.delivered()).isEqualTo(1);
        assertThat(network.dropped()).isZero();
    }

    @Test
    void concurrentSendersAllDeliver() throws Exception {
        LocalNetwork network = new LocalNetwork();
        int senders = 4;
        int perSender = 1_000;
        CountDownLatch received = new CountDownLatch(senders * perSender);
        network.transport("target").start(m -> received.countDown());
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                LocalTransport t = network.transport("s" + s);
                String id = "s" + s;
                futures.add(pool.submit(() -> {
                    go.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < perSender; i++) {
                        t.send(vote(id, "target", i));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }

            assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(network.delivered()).isEqualTo((long) senders * perSender);
            assertThat(network.dropped()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
