package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.raftengine.jpa.JpaRaftLog;

/**
 * Exactly once across a crash inside the transaction that applies a command: a single-node cluster in a JVM of its
 * own ({@link LedgerNodeMain}) is SIGKILLed while it applies a tracked transfer, after the ledger's update of it was
 * written to the database (uncommitted) and before the transaction commits ({@link StopInsideTransaction}). Its
 * next run applies the transfer once (the update died with the transaction, and the applied index with it), and a
 * re-sent copy through the same client session gets the answer of that apply and is not applied again; also in a
 * third run, where the answer can only come from the outcome the node kept in its database.
 */
class CrashInsideTransactionTest {
    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final Duration ANSWER = Duration.ofSeconds(30);
    private static final String SESSION = "crash-client";
    private static final String CUT = "x-cut";
    private static final String CUT_TRANSFER = "T " + CUT + " alice bob 30";

    private final Path dir = Path.of("target", "multi-jvm", "crash-" + UUID.randomUUID());
    private LedgerNodeProcess node;

    @AfterEach
    void end() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aCommandCutShortInsideItsTransactionIsAppliedOnceAndKeepsItsAnswer() throws Exception {
        long started = System.nanoTime();
        Map<String, String> settings = Map.of("raft.node-id", "n1", "raft.members", "n1", "raft.bootstrap", "true",
                "raft.transport", "local", "raft.log", "jpa",
                "test.jdbc-url", "jdbc:h2:file:" + dir.resolve("h2").resolve("n1").toAbsolutePath()
                        + JpaRaftLog.H2_DURABLE_URL_OPTIONS);
        Map<String, String> stopping = new HashMap<>(settings);
        stopping.put(LedgerNodeMain.STOP_INSIDE, CUT);

        node = start(1, stopping);
        assertThat(submit(1, true, "D alice 100")).startsWith("OK ").endsWith(" 100");
        assertThat(submit(2, true, "D bob 5")).startsWith("OK ");
        CompletableFuture<String> cut = node.send("SUBMIT " + SESSION + " 3 1 " + CUT_TRANSFER);
        String[] inside = node.awaitEvent("IN-TX", ANSWER).split(" ");
        long index = Long.parseLong(inside[1]);
        assertThat(inside[2]).as("times %s was applied, as the database holds it inside the open transaction", CUT)
                .isEqualTo("1");
        node.kill();
        await("the cut transfer's submission ends with the node").atMost(Duration.ofSeconds(10))
                .until(cut::isDone);
        assertThat(cut).as("no answer came for the transfer whose transaction never committed")
                .isCompletedExceptionally();
        long firstRun = System.nanoTime();

        node = start(2, settings);
        // A new leader applies the entries of the term before only once an entry of its own term commits.
        await("node n1 applies the cut transfer's entry again").atMost(ANSWER).pollInterval(Duration.ofMillis(100))
                .until(() -> Long.parseLong(node.call("STATUS", ANSWER).split(" ")[5]) >= index);
        Dump second = dump();
        assertThat(second.applied()).as("the applied index covers the cut transfer").isGreaterThanOrEqualTo(index);
        assertThat(second.transfers()).as("times each transfer was applied").isEqualTo(Map.of(CUT, 1L));
        assertThat(second.balances()).isEqualTo(Map.of("alice", 70L, "bob", 35L));
        String answer = submit(3, false, CUT_TRANSFER);
        assertThat(answer).as("a re-sent copy gets the answer of the one apply, at the cut transfer's index")
                .isEqualTo("OK " + index + " alice=70 bob=35");
        // The copy may take an entry of its own (the leader did not append the original in this run, so only the
        // apply side knows it for a duplicate): the index moves on, the ledger does not.
        Dump afterCopy = dump();
        assertThat(afterCopy.transfers()).as("times each transfer was applied, after the copy")
                .isEqualTo(Map.of(CUT, 1L));
        assertThat(afterCopy.balances()).as("balances after the copy").isEqualTo(second.balances());
        node.kill();
        long secondRun = System.nanoTime();

        // The transfer was applied in the run before this one: only the outcome kept in the database can answer.
        node = start(3, settings);
        assertThat(submit(3, false, CUT_TRANSFER)).as("a re-sent copy in the next run").isEqualTo(answer);
        Dump third = dump();
        assertThat(third.transfers()).isEqualTo(Map.of(CUT, 1L));
        assertThat(third.balances()).isEqualTo(second.balances());
        String next = submit(4, true, "T x-next alice bob 10");
        assertThat(next).as("the session goes on").startsWith("OK ").endsWith(" alice=60 bob=45");
        assertThat(Long.parseLong(next.split(" ")[1])).isGreaterThan(index);
        System.out.printf("crash inside a transaction at index %d: runs took %d, %d and %d ms%n", index,
                (firstRun - started) / 1_000_000, (secondRun - firstRun) / 1_000_000,
                (System.nanoTime() - secondRun) / 1_000_000);
    }

    private LedgerNodeProcess start(int run, Map<String, String> settings) throws Exception {
        LedgerNodeProcess n = LedgerNodeProcess.start(dir, "n1", run, settings);
        n.awaitEvent("READY", BOOT);
        await("node n1 leads (run " + run + ")").atMost(ANSWER).pollInterval(Duration.ofMillis(100))
                .until(() -> n.call("STATUS", ANSWER).startsWith("STATUS LEADER "));
        return n;
    }

    private String submit(long sequence, boolean first, String command) {
        return node.call("SUBMIT " + SESSION + " " + sequence + " " + (first ? 1 : 0) + " " + command, ANSWER);
    }

    private Dump dump() {
        return Dump.parse(node.call("LEDGER", ANSWER));
    }
}
