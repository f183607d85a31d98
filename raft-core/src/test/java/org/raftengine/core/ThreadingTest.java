package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.transport.LocalNetwork;

/**
 * User callbacks never run on the protocol thread, a stopped node answers at once, and the default
 * constructor runs log calls and applies on the protocol thread only for a log and a state machine that say
 * they never block.
 */
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

    /** The in-memory log, saying of itself what the test wants, and noting the threads that append to it. */
    private static final class ThreadNotingLog extends ForwardingLog {
        private final boolean neverBlocks;
        final Set<String> appendThreads = ConcurrentHashMap.newKeySet();

        ThreadNotingLog(boolean neverBlocks) {
            this.neverBlocks = neverBlocks;
        }

        @Override
        public boolean neverBlocks() {
            return neverBlocks;
        }

        @Override
        public void append(List<LogEntry> entries) {
            appendThreads.add(Thread.currentThread().getName());
            log.append(entries);
        }
    }

    /** A state machine saying of itself what the test wants, noting the threads that apply. */
    private static final class ThreadNotingStateMachine implements StateMachine {
        private final boolean neverBlocks;
        final Set<String> applyThreads = ConcurrentHashMap.newKeySet();
        private volatile long applied;

        ThreadNotingStateMachine(boolean neverBlocks) {
            this.neverBlocks = neverBlocks;
        }

        @Override
        public boolean neverBlocks() {
            return neverBlocks;
        }

        @Override
        public byte[] apply(long index, byte[] command) {
            applyThreads.add(Thread.currentThread().getName());
            applied = index;
            return command;
        }

        @Override
        public void recordApplied(long index) {
            applied = index;
        }

        @Override
        public long lastApplied() {
            return applied;
        }
    }

    @ParameterizedTest(name = "log never blocks: {0}, state machine never blocks: {1}")
    @CsvSource({"true, true, protocol, protocol", "true, false, protocol, apply", "false, true, storage, protocol",
            "false, false, storage, apply"})
    void theDefaultConstructorRunsOnTheProtocolThreadOnlyWhatNeverBlocks(boolean logNeverBlocks,
            boolean stateMachineNeverBlocks, String appendThread, String applyThread) throws Exception {
        ThreadNotingLog log = new ThreadNotingLog(logNeverBlocks);
        ThreadNotingStateMachine stateMachine = new ThreadNotingStateMachine(stateMachineNeverBlocks);
        RaftNode node = new RaftNode(RaftNodeConfig.of("solo", "threads")
                .withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS, "solo")),
                log, new LocalNetwork().transport("solo"), stateMachine);
        node.start();
        log.appendThreads.clear(); // start() writes the bootstrap configuration on the caller's thread
        try {
            CommandResult result;
            do {
                result = node.submit(new byte[] {1}).toCompletableFuture().get(10, TimeUnit.SECONDS);
            } while (result instanceof CommandResult.Retry);
            assertThat(result).isInstanceOf(CommandResult.Ok.class);
        } finally {
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(log.appendThreads).containsExactly("raft-solo-" + appendThread);
        assertThat(stateMachine.applyThreads).containsExactly("raft-solo-" + applyThread);
    }
}
