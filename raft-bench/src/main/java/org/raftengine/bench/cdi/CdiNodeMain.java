package org.raftengine.bench.cdi;

import com.arjuna.ats.jta.cdi.TransactionExtension;
import io.smallrye.config.inject.ConfigExtension;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionManager;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.raftengine.bench.LatencyHistogram;
import org.raftengine.cdi.CurrentCommand;
import org.raftengine.cdi.RaftClient;
import org.raftengine.cdi.RaftNodeProducer;
import org.raftengine.core.CommandResult;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.jpa.JpaTransactions;

/**
 * One node of the CDI run ({@code bin/bench --cdi}) in a JVM of its own, as an application runs raft-cdi: Weld SE
 * with raft-cdi's beans ({@link RaftNodeProducer}, {@link RaftClient}, {@link CurrentCommand}), Narayana's and
 * SmallRye Config's CDI extensions, and the bench application ({@link CdiBenchBeans}, {@link Counters}); settings
 * from system properties ({@code raft.*}, {@code bench.jdbc-url}, {@code bench.jdbc-user}, {@code bench.jms-url}).
 * It also runs closed-loop clients against its own {@link RaftClient} (a follower forwards to the leader), driven
 * by the parent ({@code CdiRun}) over a line protocol.
 *
 * <p>Requests come on stdin as {@code <id> <request...>}, one at a time; each answer goes to stdout as
 * {@code @<id> <answer...>}; {@code @READY <node>} says the node runs. Everything else goes to stderr.
 * <ul>
 *   <li>{@code STATUS}: {@code STATUS <role> <leader or -> <term> <commit index> <applied index>}.</li>
 *   <li>{@code START <counter,...>}: a client thread per counter, each submitting {@link Increment}s of its
 *       counter one after another. Answer {@code STARTED}.</li>
 *   <li>{@code MARK}: the measured window starts. Answer {@code MARKED}.</li>
 *   <li>{@code STOP}: the window ends, the clients finish their command in flight and end. Answer
 *       {@code STOPPED <commits in the window> <window ns> <latency histogram> <acknowledged since start>
 *       <indeterminate since start> <other results since start>}.</li>
 *   <li>{@code SUM}: {@code SUM <applied index> <sum of counters> <counters>}, read in one transaction.</li>
 * </ul>
 * The end of stdin halts the JVM.
 */
public final class CdiNodeMain {
    private static final PrintStream PROTOCOL = new PrintStream(new FileOutputStream(FileDescriptor.out), false,
            StandardCharsets.UTF_8);

    /** The quiet loggers: start-up lines of Hibernate, Narayana, Agroal, Weld, Artemis. */
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("org.hibernate"), java.util.logging.Logger.getLogger("com.arjuna"),
            java.util.logging.Logger.getLogger("io.agroal"), java.util.logging.Logger.getLogger("org.jboss"),
            java.util.logging.Logger.getLogger("org.apache.activemq"));

    private static RaftNode node;
    private static RaftClient client;
    private static JpaTransactions tx;

    /** The clients' totals since the node started. */
    private static final LongAdder ACKED = new LongAdder();
    private static final LongAdder INDETERMINATE = new LongAdder();
    private static final LongAdder OTHER = new LongAdder();

    /** The measured window: completions before its end count. */
    private static final class Window {
        final long start = System.nanoTime();
        volatile long end = Long.MAX_VALUE;
        final LatencyHistogram latencies = new LatencyHistogram();
        final LongAdder commits = new LongAdder();
    }

    private static volatile boolean running;
    private static volatile Window window;
    private static final List<Thread> clients = new ArrayList<>();

    private CdiNodeMain() {
    }

    public static void main(String[] args) throws IOException {
        System.setOut(System.err);
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
        try {
            WeldContainer container = new Weld().disableDiscovery()
                    .addBeanClasses(RaftNodeProducer.class, RaftClient.class, CurrentCommand.class,
                            CdiBenchBeans.class, Counters.class)
                    .addExtensions(new ConfigExtension(), new TransactionExtension())
                    .initialize();
            node = container.select(RaftNode.class).get();
            client = container.select(RaftClient.class).get();
            tx = JpaTransactions.jta(container.select(EntityManagerFactory.class).get(),
                    container.select(TransactionManager.class).get());
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        say("@READY " + node.id());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.split(" ");
            try {
                say("@" + w[0] + " " + handle(w));
            } catch (RuntimeException | InterruptedException e) {
                e.printStackTrace();
                say("@" + w[0] + " FAILED " + e);
            }
        }
        Runtime.getRuntime().halt(0);
    }

    private static void say(String line) {
        PROTOCOL.print(line.replace('\n', ' ') + "\n");
        PROTOCOL.flush();
        if (PROTOCOL.checkError()) {
            Runtime.getRuntime().halt(2);
        }
    }

    private static String handle(String[] w) throws InterruptedException {
        switch (w[1]) {
            case "STATUS" -> {
                NodeStatus s = node.status();
                return "STATUS " + s.role() + " " + (s.leaderId() == null ? "-" : s.leaderId()) + " " + s.term()
                        + " " + s.commitIndex() + " " + s.appliedIndex();
            }
            case "START" -> {
                running = true;
                window = null;
                for (String counter : w[2].split(",")) {
                    Thread t = new Thread(() -> loop(counter), "bench-client-" + counter);
                    t.setDaemon(true);
                    clients.add(t);
                    t.start();
                }
                return "STARTED";
            }
            case "MARK" -> {
                window = new Window();
                return "MARKED";
            }
            case "STOP" -> {
                Window wdw = window;
                long end = System.nanoTime();
                if (wdw != null) {
                    wdw.end = end;
                }
                running = false;
                for (Thread t : clients) {
                    t.join(TimeUnit.MINUTES.toMillis(2));
                }
                clients.clear();
                window = null;
                return "STOPPED " + (wdw == null ? 0 : wdw.commits.sum()) + " " + (wdw == null ? 0 : end - wdw.start)
                        + " " + (wdw == null ? "-" : wdw.latencies.encode()) + " " + ACKED.sum() + " "
                        + INDETERMINATE.sum() + " " + OTHER.sum();
            }
            case "SUM" -> {
                return "SUM " + tx.inTransaction(em -> {
                    List<?> applied = em.createNativeQuery("SELECT applied_index FROM raft_applied"
                                    + " WHERE cluster_id = ?1 AND node_id = ?2")
                            .setParameter(1, System.getProperty("raft.cluster-id", "default"))
                            .setParameter(2, node.id()).getResultList();
                    Object[] row = (Object[]) em.createNativeQuery("SELECT COALESCE(SUM(total), 0), COUNT(*)"
                            + " FROM bench_counter").getSingleResult();
                    return (applied.isEmpty() ? 0 : ((Number) applied.get(0)).longValue()) + " "
                            + ((Number) row[0]).longValue() + " " + ((Number) row[1]).longValue();
                });
            }
            default -> {
                return "FAILED unknown request " + w[1];
            }
        }
    }

    /** One closed-loop client: an Increment of its counter, its result awaited, the next. */
    private static void loop(String counter) {
        Increment command = new Increment(counter);
        while (running) {
            long start = System.nanoTime();
            CommandResult r;
            try {
                r = client.submit(command).toCompletableFuture().get();
            } catch (ExecutionException e) {
                OTHER.increment();
                pause();
                continue;
            } catch (InterruptedException e) {
                return;
            }
            long done = System.nanoTime();
            if (r instanceof CommandResult.Ok) {
                ACKED.increment();
                Window w = window;
                if (w != null && done >= w.start && done < w.end) {
                    w.commits.increment();
                    w.latencies.record(done - start);
                }
            } else if (r instanceof CommandResult.Indeterminate) {
                INDETERMINATE.increment();
            } else {
                OTHER.increment(); // Retry, Redirect, Refused, ApplicationError: not applied
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
