package org.raftengine.jms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.VoteRequest;

class OutboundBuffersTest {

    private static VoteRequest vote(String to, long term) {
        return new VoteRequest("n1", to, 1, term, 0, 0, false, false);
    }

    private static List<String> takeAll(OutboundBuffers buffers) throws InterruptedException {
        List<String> out = new ArrayList<>();
        OutboundBuffers.Pending p;
        while ((p = buffers.take(0)) != null) {
            RaftMessage m = p.message();
            out.add(m.to() + ":" + m.term());
        }
        return out;
    }

    @Test
    void dropsTheOldestOfAFullPeerOnly() throws InterruptedException {
        OutboundBuffers buffers = new OutboundBuffers(3);
        int dropped = 0;
        for (int term = 1; term <= 5; term++) {
            dropped += buffers.offer(vote("n2", term), 0);
        }
        dropped += buffers.offer(vote("n3", 1), 0);

        assertThat(dropped).isEqualTo(2);
        assertThat(buffers.size()).isEqualTo(4);
        assertThat(takeAll(buffers)).containsExactly("n2:3", "n3:1", "n2:4", "n2:5");
    }

    @Test
    void servesThePeersInTurn() throws InterruptedException {
        OutboundBuffers buffers = new OutboundBuffers(100);
        for (int term = 1; term <= 3; term++) {
            buffers.offer(vote("n2", term), 0);
        }
        buffers.offer(vote("n3", 1), 0);
        buffers.offer(vote("n4", 1), 0);

        assertThat(takeAll(buffers)).containsExactly("n2:1", "n3:1", "n4:1", "n2:2", "n2:3");
    }

    @Test
    void keepsWhenEachMessageWasOffered() throws InterruptedException {
        OutboundBuffers buffers = new OutboundBuffers(10);
        buffers.offer(vote("n2", 1), 1234);

        assertThat(buffers.take(0).offeredNanos()).isEqualTo(1234);
    }

    @Test
    void wakeEndsAWaitAndClearEmpties() throws InterruptedException {
        OutboundBuffers buffers = new OutboundBuffers(10);
        buffers.wake();
        assertThat(buffers.take(Long.MAX_VALUE)).isNull(); // returns at once: it was woken

        buffers.offer(vote("n2", 1), 0);
        buffers.offer(vote("n3", 1), 0);
        assertThat(buffers.clear()).isEqualTo(2);
        assertThat(buffers.size()).isZero();
        assertThat(buffers.take(0)).isNull();
    }
}
