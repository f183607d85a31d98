package org.raftengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.raftengine.core.log.InMemoryRaftLog;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.transport.LocalNetwork;

/**
 * After two of three nodes are lost for good, the survivor's log restarts a one-member cluster that keeps
 * every entry it held and takes new commands; and the operation refuses logs it cannot recover from.
 */
class DisasterRecoveryTest {

    private static CommandResult submit(RaftNode node, String command) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            CommandResult r = node.submit(command.getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            if (!(r instanceof CommandResult.Retry) || System.nanoTime() > deadline) {
                return r;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // no leader yet
        }
    }

    @Test
    void theSurvivorOfALostMajorityRestartsAloneWithEverythingItHeld() throws Exception {
        LocalNetwork network = new LocalNetwork();
        ClusterConfiguration members = ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2", "n3");
        List<InMemoryRaftLog> logs = new ArrayList<>();
        List<RaftNode> nodes = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            RaftNodeConfig config = RaftNodeConfig.of(id, "recovery");
            InMemoryRaftLog log = new InMemoryRaftLog();
            logs.add(log);
            nodes.add(new RaftNode(id.equals("n1") ? config.withBootstrap(members) : config, log,
                    network.transport(id), new ReadmeExampleTest.Journal()));
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).start();
        }
        for (int i = 1; i <= 20; i++) {
            assertThat(submit(nodes.get(0), "before " + i)).isInstanceOf(CommandResult.Ok.class);
        }
        // A commit needs n1 and one other: n3 may still lack the last entries. Wait (bounded) until it holds them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (logs.get(2).lastIndex() < logs.get(0).lastIndex() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(logs.get(2).lastIndex()).as("n3 caught up").isEqualTo(logs.get(0).lastIndex());
        for (RaftNode n : nodes) {
            n.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        // n2 and n3 are gone for good. n3's log is the survivor.
        InMemoryRaftLog survivor = logs.get(2);
        long lastBefore = survivor.lastIndex();

        ClusterConfiguration alone = DisasterRecovery.restartAlone(survivor, "n3");

        assertThat(alone.members()).extracting(Member::id).containsExactly("n3");
        assertThat(alone.members().get(0).storageId()).isEqualTo(survivor.storageId());
        LogEntry appended = survivor.read(survivor.lastIndex(), survivor.lastIndex(), Long.MAX_VALUE).get(0);
        assertThat(appended.index()).isEqualTo(lastBefore + 1);
        assertThat(appended.type()).isEqualTo(EntryType.CONFIGURATION);
        assertThat(appended.term()).isGreaterThan(survivor.termAt(lastBefore));

        ReadmeExampleTest.Journal state = new ReadmeExampleTest.Journal();
        RaftNode reborn = new RaftNode(RaftNodeConfig.of("n3", "recovery"), survivor,
                new LocalNetwork().transport("n3"), state);
        reborn.start();
        try {
            assertThat(submit(reborn, "after")).isInstanceOf(CommandResult.Ok.class);
            assertThat(reborn.status().role()).isEqualTo(Role.LEADER);
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                expected.add("before " + i);
            }
            expected.add("after");
            synchronized (state) {
                assertThat(state.lines).as("every command n3 held, then the new one").isEqualTo(expected);
            }
        } finally {
            reborn.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLogItCannotRecoverFromIsRefused() {
        InMemoryRaftLog empty = new InMemoryRaftLog();
        assertThatThrownBy(() -> DisasterRecovery.restartAlone(empty, "n1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no configuration");

        InMemoryRaftLog joined = new InMemoryRaftLog();
        joined.append(List.of(LogEntry.of(1, 1, EntryType.CONFIGURATION, 0,
                org.raftengine.core.wire.ConfigurationCodec.encode(
                        ClusterConfiguration.of(ClusterSettings.DEFAULTS, "n1", "n2", "n3")))));
        assertThatThrownBy(() -> DisasterRecovery.restartAlone(joined, "n9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a member");
        assertThat(joined.lastIndex()).as("nothing written when refused").isEqualTo(1);

        joined.markBroken("checksum mismatch at 1");
        assertThatThrownBy(() -> DisasterRecovery.restartAlone(joined, "n1"))
                .isInstanceOf(LogBrokenException.class).hasMessageContaining("checksum mismatch");
    }
}
