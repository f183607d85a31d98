package org.raftengine.jpa;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Does an H2 file database keep every commit it acknowledged when its process is killed? Plain JDBC, no
 * raftengine code: a child JVM commits, as fast as it can, updates of one row (a "hard state") and batches of
 * inserts and suffix deletes (an "entry log"), printing each acknowledged row value; the parent kills it with
 * SIGKILL at a random moment, starts the next child on the same file, and compares what that child finds
 * with what the previous one acknowledged. The same file grows by some 3 MB a round.
 *
 * <p>Not a test (it runs for minutes); the measurement behind {@link JpaRaftLog#H2_DURABLE_URL_OPTIONS}.
 * Run from the repository root after {@code ./mvnw -pl raft-jpa-log -am test-compile}:
 * <pre>
 * java -cp raft-jpa-log/target/test-classes:$HOME/.m2/repository/com/h2database/h2/2.5.252/h2-2.5.252.jar \
 *     org.raftengine.jpa.H2KillProbe "jdbc:h2:file:/tmp/probe/db;WRITE_DELAY=0" 200
 * </pre>
 * Measured on 2026-12-03 (this 2-CPU VM, JDK 17): H2 2.5.252 with {@code WRITE_DELAY=0} lost the last
 * acknowledged update in 7 of 160 and 7 of 130 rounds; with {@code ;REUSE_SPACE=FALSE} added, 0 of 200 and
 * 0 of 300; H2 2.4.240 and 2.3.232 with {@code WRITE_DELAY=0} alone, 0 of 200 each.
 */
public final class H2KillProbe {
    private H2KillProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("child")) {
            child(args[1], Long.parseLong(args[2]));
        } else if (args.length == 2) {
            System.exit(parent(args[0], Integer.parseInt(args[1])) == 0 ? 0 : 1);
        } else {
            System.err.println("usage: H2KillProbe JDBC_URL ROUNDS");
            System.exit(2);
        }
    }

    /** Commits until killed; prints {@code OPEN term last} first, then {@code ACK hard term} or {@code ACK ent last}. */
    private static void child(String url, long seed) throws SQLException {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        Random random = new Random(seed);
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS probe_hard(id INT PRIMARY KEY, term BIGINT)");
            s.execute("MERGE INTO probe_hard KEY(id) VALUES(1, COALESCE((SELECT term FROM probe_hard WHERE id = 1), 0))");
            s.execute("CREATE TABLE IF NOT EXISTS probe_entry(idx BIGINT PRIMARY KEY, term BIGINT, data VARBINARY(1000))");
            c.setAutoCommit(false);
            long term = single(s, "SELECT term FROM probe_hard WHERE id = 1");
            long last = single(s, "SELECT COALESCE(MAX(idx), 0) FROM probe_entry");
            c.commit();
            out.println("OPEN " + term + " " + last);
            try (PreparedStatement hard = c.prepareStatement("UPDATE probe_hard SET term = ? WHERE id = 1");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO probe_entry VALUES(?, ?, ?)");
                 PreparedStatement truncate = c.prepareStatement("DELETE FROM probe_entry WHERE idx >= ?")) {
                while (true) {
                    if (random.nextInt(8) == 0) {
                        hard.setLong(1, ++term);
                        hard.executeUpdate();
                        c.commit();
                        out.println("ACK hard " + term);
                        continue;
                    }
                    long start = last + 1;
                    if (random.nextInt(4) == 0 && last > 0) {
                        start = Math.max(1, last - random.nextInt((int) Math.min(last, 300)));
                        truncate.setLong(1, start);
                        truncate.executeUpdate();
                    }
                    int n = 1 + random.nextInt(256);
                    for (int i = 0; i < n; i++) {
                        byte[] data = new byte[random.nextInt(512)];
                        random.nextBytes(data);
                        insert.setLong(1, start + i);
                        insert.setLong(2, term);
                        insert.setBytes(3, data);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                    c.commit();
                    last = start + n - 1;
                    out.println("ACK ent " + last);
                }
            }
        }
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs the rounds; returns how many found an acknowledged hard-state update missing. */
    private static int parent(String url, int rounds) throws Exception {
        Random random = new Random();
        long acknowledgedTerm = 0;
        int lost = 0;
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int round = 0; round <= rounds; round++) {
                Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                        H2KillProbe.class.getName(), "child", url, Long.toString(random.nextLong()))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String[] open = in.readLine().split(" ");
                long foundTerm = Long.parseLong(open[1]);
                if (foundTerm < acknowledgedTerm) {
                    lost++;
                    System.out.printf("round %d: LOST the acknowledged update to %d; found %d%n", round,
                            acknowledgedTerm, foundTerm);
                }
                acknowledgedTerm = foundTerm;
                if (round == rounds) {
                    child.destroyForcibly().waitFor();
                    break;
                }
                int killAfter = 30 + random.nextInt(90);
                long started = System.nanoTime();
                int acks = 0;
                for (String line; (line = readLine(in)) != null; ) {
                    String[] w = line.split(" ");
                    if (w.length != 3 || !w[0].equals("ACK")) {
                        continue;
                    }
                    if (w[1].equals("hard")) {
                        acknowledgedTerm = Long.parseLong(w[2]);
                    }
                    if (++acks == killAfter) {
                        // Anywhere from inside the next commit to after it, not only between two.
                        long meanMicros = (System.nanoTime() - started) / 1000 / acks;
                        killer.schedule(child::destroyForcibly, random.nextLong(2 * meanMicros + 1),
                                TimeUnit.MICROSECONDS);
                    }
                }
                child.waitFor();
                if (round % 10 == 0) {
                    System.out.printf("round %d: %d acknowledged, hard state at %d%n", round, acks, acknowledgedTerm);
                }
            }
        } finally {
            killer.shutdownNow();
        }
        System.out.printf("%s: %d rounds, %d lost an acknowledged update%n", url, rounds, lost);
        return lost;
    }

    /** The next line, or null once the child is gone (a kill may close the pipe under the reader). */
    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
