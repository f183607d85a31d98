package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.spi.RaftLog;
import org.raftengine.core.spi.StateMachine;
import org.raftengine.core.transport.LocalNetwork;

/**
 * An {@link Error} from the application's state machine or log (not an exception) is a failure like any
 * other: on the production runtime it used to end the executor's task unanswered, and the node then
 * silently stopped applying or writing.
 */
class UserCodeErrorsTest {

    private static RaftNodeConfig solo() {
        return RaftNodeConfig.of("solo", "errors").withBootstrap(ClusterConfiguration.of(ClusterSettings.DEFAULTS,
                "solo"));
    }

    private static CommandResult submit(RaftNode node, String command) throws Exception {
        CommandResult r;
        do {
            r = node.submit(command.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } while (r instanceof CommandResult.Retry);
        return r;
    }

    @Test
    void anAssertionErrorInApplyMarksTheLogBrokenAndStopsTheNode() throws Exception {
        InMemoryRaftLog log = new InMemoryRaftLog();
        StateMachine buggy = new StateMachine() {
            private volatile long applied;

            @Override
            public long lastApplied() {
                return applied;
            }

            @Override
            public byte[] apply(long index, byte[] command) {
                if (new String(command, StandardCharsets.UTF_8).equals("boom")) {
                    throw new AssertionError("a bug in the application");
                }
                applied = index;
                return command;
            }

            @Override
            public void recordApplied(long index) {
                applied = index;
            }
        };
        RaftNode node = new RaftNode(solo(), log, new LocalNetwork().transport("solo"), buggy);
        node.start();
        assertThat(submit(node, "fine")).isInstanceOf(CommandResult.Ok.class);

        CommandResult boom = submit(node, "boom");

        assertThat(boom).isInstanceOf(CommandResult.Indeterminate.class);
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(log.isBroken()).isTrue();
        assertThat(log.brokenReason()).contains("AssertionError").contains("a bug in the application");
    }

    @Test
    void anErrorFromTheLogIsRetriedLikeAFailedWrite() throws Exception {
        AtomicInteger errorsLeft = new AtomicInteger(2);
        RaftLog failing = new ErrorOnAppend(new InMemoryRaftLog(), errorsLeft);
        RaftNode node = new RaftNode(solo(), failing, new LocalNetwork().transport("solo"),
                new SnapshotThreadedTest.Journal());
        node.start();

        assertThat(submit(node, "after errors")).isInstanceOf(CommandResult.Ok.class);
        assertThat(node.storageFailures()).isEqualTo(2);
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** A log whose next appends throw a {@link StackOverflowError}, as a driver deep in recursion might. */
    private static final class ErrorOnAppend extends ForwardingLog {
        private final AtomicInteger errorsLeft;

        ErrorOnAppend(InMemoryRaftLog log, AtomicInteger errorsLeft) {
            super(log);
            this.errorsLeft = errorsLeft;
        }

        @Override
        public void append(List<LogEntry> entries) {
            // The bootstrap's own append (at start, on the caller's thread) goes through.
            if (log.lastIndex() > 0 && errorsLeft.getAndDecrement() > 0) {
                throw new StackOverflowError("deep in the driver");
            }
            log.append(entries);
        }
    }
}
