package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.transport.LocalNetwork;

/** User callbacks never run on the protocol thread, and a stopped node answers at once. */
class ThreadingTest {

    private static final class Counter implements StateMachine {
        private final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        private long applied;

        @Override
        public synchronized long lastApplied() {
            return applied;
        }

        @Override
        public byte[] apply(long index, byte[] command) {
            if (command[0] == 2) {
                try { // holds the apply thread so the test attaches its callback before completion
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (this) {
                applied = index;
            }
            return command;
        }

        @Override
        public synchronized void recordApplied(long index) {
            applied = index;
        }
    }

    @Test
    void futuresCompleteOffTheProtocolThreadAndStopAnswersPendingWork() throws Exception {
        LocalNetwork network = new LocalNetwork();
        Counter counter = new Counter();
        RaftNode node = new RaftNode(RaftNodeConfig.of("solo", "threads")
                .withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS, "solo")),
                new InMemoryRaftLog(), network.transport("solo"), counter);
        node.start();
        CommandResult first;
        do {
            first = node.submit(new byte[] {1}).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } while (first instanceof CommandResult.Retry);
        assertThat(first).isInstanceOf(CommandResult.Ok.class);

        CompletableFuture<String> callbackThread = new CompletableFuture<>();
        node.submit(new byte[] {2}).thenAccept(r -> callbackThread.complete(Thread.currentThread().getName()));
        counter.gate.countDown();
        assertThat(callbackThread.get(10, TimeUnit.SECONDS)).contains("callbacks").doesNotContain("protocol");

        node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(node.status().role()).isEqualTo(Role.STOPPED);
        assertThat(node.submit(new byte[] {3}).toCompletableFuture().get(1, TimeUnit.SECONDS))
                .isInstanceOf(CommandResult.Retry.class);
    }
}
