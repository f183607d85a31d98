package org.raftengine.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;

/**
 * Everything {@link JpaRaftLog} acknowledged survives a SIGKILL of its JVM, and nothing half-written shows. A
 * child JVM ({@link CrashChild}) appends batches of 1 to 256 entries, replaces suffixes and saves hard states as
 * fast as it can, saying on stdout what each call was and when it returned; the test kills it at a random point,
 * reopens the node's log itself and compares it with what was acknowledged. Three kills in a row on the same
 * node, so each child also starts on a log that survived a kill.
 */
class JpaRaftLogCrashTest {
    private static final int KILLS = 3;
    /** The child is killed after this many acknowledgements, at random within the range. */
    private static final int MIN_ACKS = 30;
    private static final int MAX_ACKS = 120;
    private static final Duration ROUND_LIMIT = Duration.ofSeconds(40);
    private static final int SIGKILL_EXIT = 128 + 9;

    /** One log call of the child, as it announced it. */
    record Write(boolean hard, long from, long to, long term, String votedFor) {
        static Write parse(String[] w) {
            return w[1].equals("hard")
                    ? new Write(true, 0, 0, Long.parseLong(w[2]), CrashChild.voteOf(w[3]))
                    : new Write(false, Long.parseLong(w[2]), Long.parseLong(w[3]), Long.parseLong(w[4]), null);
        }

        long entries() {
            return hard ? 0 : to - from + 1;
        }
    }

    /** What the node's storage should hold: the term of each entry from index 1, and the hard state. */
    record Model(List<Long> terms, HardState hard) {
        static final Model EMPTY = new Model(List.of(), HardState.INITIAL);

        Model with(Write w) {
            if (w.hard) {
                return new Model(terms, new HardState(w.term, w.votedFor));
            }
            assertThat(w.from).as("a batch starts inside the log or right after it").isBetween(1L, last() + 1);
            List<Long> t = new ArrayList<>(terms.subList(0, (int) (w.from - 1)));
            for (long i = w.from; i <= w.to; i++) {
                t.add(w.term);
            }
            return new Model(List.copyOf(t), hard);
        }

        long last() {
            return terms.size();
        }
    }

    /** The child's stdout, line by line, read on a thread of its own so the test can bound each wait. */
    static final class Lines {
        private static final String EOF = "\u0000eof";
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        Lines(InputStream in) {
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        queue.add(line);
                    }
                } catch (IOException ignored) {
                    // the child is gone: as the end of its output
                } finally {
                    queue.add(EOF);
                }
            }, "crash-child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        /** The next line, or null at the end of the output; fails the test once {@code deadline} passes. */
        String next(long deadlineNanos) throws InterruptedException {
            String line = queue.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("the child said nothing more within " + ROUND_LIMIT);
            }
            return line.equals(EOF) ? null : line;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TestDatabase.Kind.class, names = {"POSTGRESQL", "H2"})
    void acknowledgedWritesSurviveSigkill(TestDatabase.Kind kind) throws Exception {
        String nodeId = "crash-" + UUID.randomUUID();
        String url = kind.url("crash-" + UUID.randomUUID());
        // The child's sessions carry the node id, so the test can wait for the server to be done with them.
        String childUrl = kind == TestDatabase.Kind.POSTGRESQL ? url + "&ApplicationName=" + nodeId : url;
        try {
            JpaTestUnit.installSchema(url, kind.user());
        } catch (SQLException e) {
            TestDatabase.skipOrFail(kind + " at " + url + " is not reachable: " + e.getMessage(), e);
        }
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        System.out.println("crash test on " + kind + ", node " + nodeId + ", seed " + seed);

        Model model = Model.EMPTY;
        int replacements = 0;
        int landedUnacknowledged = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            long started = System.nanoTime();
            long deadline = started + ROUND_LIMIT.toNanos();
            Path stderr = Path.of("target", "crash-child-" + nodeId + "-" + kill + ".log");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // A JVM that starts fast: it lives for seconds, and most of that is booting Hibernate.
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                    childUrl, kind.user(), nodeId, Long.toString(seed), Long.toString(random.nextLong()))
                    .redirectError(stderr.toFile())
                    .start();
            ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
            Write pending = null;
            int acks = 0;
            long entriesAcked = 0;
            long firstAckNanos = 0;
            long openedNanos = 0;
            try {
                Lines lines = new Lines(child.getInputStream());
                String[] open = words(lines.next(deadline), stderr);
                openedNanos = System.nanoTime();
                assertThat(open[0]).as("the child's first line").isEqualTo("OPEN");
                assertThat(List.of(open).subList(1, 6)).as("what the child found on opening the log")
                        .containsExactly("1", Long.toString(model.last()),
                                Long.toString(model.last() == 0 ? 0 : model.terms().get((int) model.last() - 1)),
                                Long.toString(model.hard().term()), CrashChild.voteText(model.hard().votedFor()));
                int killAfter = MIN_ACKS + random.nextInt(MAX_ACKS - MIN_ACKS + 1);
                boolean killScheduled = false;
                String cutShort = null;
                for (String line; (line = lines.next(deadline)) != null; ) {
                    assertThat(cutShort).as("a line cut short, yet the child went on").isNull();
                    if (!line.endsWith(CrashChild.END)) {
                        cutShort = line; // only the kill can cut a line short, and then nothing follows it
                        continue;
                    }
                    String[] w = words(line, stderr);
                    Write write = Write.parse(w);
                    if (w[0].equals("BEGIN")) {
                        assertThat(pending).as("a write begun before the previous one was acknowledged").isNull();
                        pending = write;
                        if (!killScheduled && acks >= killAfter) {
                            // Anywhere from inside this write to after it, at random: the kill must not fall
                            // only between writes (right after an ACK) nor only at their start.
                            long meanWriteMicros = (System.nanoTime() - firstAckNanos) / 1000 / acks;
                            killer.schedule(child::destroyForcibly, random.nextLong(2 * meanWriteMicros + 1),
                                    TimeUnit.MICROSECONDS);
                            killScheduled = true;
                        }
                    } else {
                        assertThat(w[0]).isEqualTo("ACK");
                        assertThat(write).as("the write acknowledged is the one begun").isEqualTo(pending);
                        if (!write.hard && write.from <= model.last()) {
                            replacements++;
                        }
                        model = model.with(write);
                        pending = null;
                        acks++;
                        entriesAcked += write.entries();
                        if (firstAckNanos == 0) {
                            firstAckNanos = System.nanoTime();
                        }
                    }
                }
                // The child's output ended: it must be because of the kill, all of it read.
                assertThat(killScheduled).as("the child ended before it was killed; see " + stderr + ":\n"
                        + tail(stderr)).isTrue();
                assertKilledBySigkill(child);
            } finally {
                killer.shutdownNow();
                child.destroyForcibly();
            }
            long killedAt = System.nanoTime();
            if (kind == TestDatabase.Kind.POSTGRESQL) {
                // A transaction whose COMMIT reached the server may end after the client died: wait for the
                // child's sessions to be gone, so what the test reads is final.
                await("the killed child's PostgreSQL sessions end").atMost(Duration.ofSeconds(20))
                        .until(() -> sessionsOf(url, nodeId) == 0);
            }

            Model found = readBack(url, kind.user(), nodeId, seed);
            Model withPending = pending == null ? null : model.with(pending);
            boolean landed = found.equals(withPending) && !found.equals(model);
            if (!found.equals(model) && !found.equals(withPending)) {
                fail("after kill " + kill + " the log of " + nodeId + " holds " + describe(found)
                        + ", but the child had acknowledged " + describe(model)
                        + (pending == null ? " and had no write in flight"
                        : " with " + pending + " in flight (" + describe(withPending) + ")"));
            }
            if (landed) {
                landedUnacknowledged++;
            }
            System.out.printf("%s kill %d: %d acknowledgements (%d entries) in %d ms after the first; child ran %d ms"
                            + " (%d ms to open the log); log now 1..%d, hard state %s; write in flight: %s%n",
                    kind, kill, acks, entriesAcked, (killedAt - firstAckNanos) / 1_000_000,
                    (killedAt - started) / 1_000_000, (openedNanos - started) / 1_000_000, found.last(), found.hard(),
                    pending == null ? "none" : pending + (landed ? " (landed)" : " (did not land)"));
            model = found;
        }
        System.out.printf("%s: %d suffix replacements acknowledged, %d unacknowledged writes landed%n", kind,
                replacements, landedUnacknowledged);
        // Each child after the first begins with a replacement of the end of the log that survived.
        assertThat(replacements).as("suffix replacements acknowledged").isGreaterThanOrEqualTo(KILLS - 1);
        // Tens of thousands of entries, in a database other tests and runs share: gone once they proved their point
        // (a failed run leaves them for a look).
        deleteNode(url, kind.user(), nodeId);
    }

    private static void deleteNode(String url, String user, String nodeId) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            for (String table : List.of("raft_entry", "raft_hard_state", "raft_node")) {
                try (PreparedStatement s = c.prepareStatement(
                        "DELETE FROM " + table + " WHERE cluster_id = ? AND node_id = ?")) {
                    s.setString(1, JpaTestUnit.CLUSTER);
                    s.setString(2, nodeId);
                    s.executeUpdate();
                }
            }
        }
    }

    /** The child died of SIGKILL (what {@link Process#destroyForcibly()} sends on Linux) and is really gone. */
    private static void assertKilledBySigkill(Process child) throws InterruptedException {
        ProcessHandle handle = child.toHandle();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the child died within 10 s of SIGKILL").isTrue();
        assertThat(child.exitValue()).as("exit status of a process killed by signal 9").isEqualTo(SIGKILL_EXIT);
        assertThat(handle.isAlive()).isFalse();
        assertThat(ProcessHandle.of(handle.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    }

    /** The node's log as this JVM reads it: every entry checked against its checksum and the child's payload rule. */
    private static Model readBack(String url, String user, String nodeId, long seed) {
        try (JpaTestUnit unit = JpaTestUnit.open(url, user, pool -> pool)) {
            JpaRaftLog log = unit.log(nodeId);
            assertThat(log.firstIndex()).isEqualTo(1);
            long last = log.lastIndex();
            List<Long> terms = new ArrayList<>();
            if (last >= 1) {
                // read() verifies each checksum and that no index is missing between 1 and last.
                List<LogEntry> entries = log.read(1, last, Long.MAX_VALUE);
                assertThat(entries).hasSize((int) last);
                for (int k = 0; k < entries.size(); k++) {
                    LogEntry e = entries.get(k);
                    assertThat(e.index()).isEqualTo(k + 1);
                    assertThat(e).as("entry %d as the child made it", e.index())
                            .isEqualTo(CrashChild.entry(seed, e.index(), e.term()));
                    terms.add(e.term());
                }
            }
            assertThat(log.termAt(last)).isEqualTo(last == 0 ? 0 : terms.get((int) last - 1));
            return new Model(List.copyOf(terms), log.hardState());
        }
    }

    private static int sessionsOf(String url, String applicationName) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement s = c.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            s.setString(1, applicationName);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Runs of equal terms, e.g. {@code 1..40@2 41..97@3 hard=HardState[...]}. */
    private static String describe(Model m) {
        StringBuilder sb = new StringBuilder();
        List<Long> t = m.terms();
        for (int i = 0; i < t.size(); ) {
            int j = i;
            while (j + 1 < t.size() && Objects.equals(t.get(j + 1), t.get(i))) {
                j++;
            }
            sb.append(i + 1).append("..").append(j + 1).append('@').append(t.get(i)).append(' ');
            i = j + 1;
        }
        return (sb.length() == 0 ? "no entries " : sb.toString()) + "hard=" + m.hard();
    }

    private static String[] words(String line, Path stderr) {
        if (line == null) {
            fail("the child ended without a word; see " + stderr + ":\n" + tail(stderr));
        }
        return line.substring(0, line.length() - (line.endsWith(CrashChild.END) ? CrashChild.END.length() : 0))
                .split(" ");
    }

    private static String tail(Path file) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
