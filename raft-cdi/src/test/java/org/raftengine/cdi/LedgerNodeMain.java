package org.raftengine.cdi;

import com.arjuna.ats.jta.cdi.TransactionExtension;
import io.smallrye.config.inject.ConfigExtension;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionManager;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.raftengine.core.ClientSession;
import org.raftengine.core.CommandResult;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.jpa.JpaTransactions;

/**
 * One node of the ledger application ({@link Ledger}) in a JVM of its own, for the tests across JVMs: Weld SE with
 * the same beans and extensions as {@link SingleNodeCdiTest}, settings from system properties ({@code raft.*},
 * {@code test.jdbc-url}, and {@code test.jms-url} for {@code raft.transport=jms}), driven by its parent over a
 * line protocol.
 *
 * <p>Requests come on stdin as {@code <id> <request...>}; each answer goes to stdout as {@code @<id> <answer...>},
 * in any order (submissions are answered as they complete). Other stdout lines starting with {@code @} are events:
 * {@code @READY <node>} once the node runs, {@code @IN-TX ...} from {@link StopInsideTransaction}. Everything else
 * the libraries print goes to stderr.
 * <ul>
 *   <li>{@code SUBMIT <session|-> <sequence> <first 1|0> D <account> <amount>} or
 *       {@code ... T <transfer id> <from> <to> <amount>}: a {@link Deposit} or a {@link TrackedTransfer}, through
 *       {@link RaftClient} when the session is {@code -}, otherwise through that {@link ClientSession}: submitted
 *       under the sequence for the first time, or re-submitted. Answer: {@code OK <index> <result>},
 *       {@code ERROR <index> <message>}, {@code RETRY}, {@code INDETERMINATE}, {@code REFUSED} or
 *       {@code REDIRECT} with their reason, or {@code FAILED <exception>}.</li>
 *   <li>{@code STATUS}: {@code STATUS <role> <leader or -> <term> <commit index> <applied index> <last index>
 *       <first index> <snapshot index> <snapshots taken> <snapshots installed>}.</li>
 *   <li>{@code SNAPSHOT}: {@link RaftNode#takeSnapshot()}; answer {@code SNAPSHOT <index>} once it completes, or
 *       {@code FAILED <exception>}.</li>
 *   <li>{@code LEDGER}: {@code LEDGER <applied index> <account:balance,...|-> <transfer:times,...|->}, all read in
 *       one transaction, the applied index as recorded in the database with the ledger.</li>
 * </ul>
 * The end of stdin (the parent closed it, or died) halts the JVM at once, as a crash would.
 */
public final class LedgerNodeMain {
    /** The system property that adds {@link StopInsideTransaction}, naming the transfer it stops in. */
    static final String STOP_INSIDE = "test.stop-inside-transfer";
    /** The system property that adds {@link LedgerSnapshots} (when "true"), so the node takes snapshots. */
    static final String SNAPSHOTS = "test.ledger-snapshots";

    private static final PrintStream PROTOCOL = new PrintStream(new FileOutputStream(FileDescriptor.out), false,
            StandardCharsets.UTF_8);

    private static RaftNode node;
    private static RaftClient client;
    private static JpaTransactions tx;

    private LedgerNodeMain() {
    }

    public static void main(String[] args) throws IOException {
        // The protocol has stdout to itself: whatever a library prints there goes to stderr instead.
        System.setOut(System.err);
        try {
            Weld weld = new Weld().disableDiscovery()
                    .addBeanClasses(RaftNodeProducer.class, RaftClient.class, CurrentCommand.class, Ledger.class,
                            TestPersistence.class)
                    .addExtensions(new ConfigExtension(), new TransactionExtension());
            if (System.getProperty("test.jms-url") != null) {
                weld.addBeanClass(TestJms.class);
            }
            if (Boolean.getBoolean(SNAPSHOTS)) {
                weld.addBeanClass(LedgerSnapshots.class);
            }
            if (System.getProperty(STOP_INSIDE) != null) {
                weld.addBeanClass(StopInsideTransaction.class);
            }
            WeldContainer container = weld.initialize();
            node = container.select(RaftNode.class).get();
            client = container.select(RaftClient.class).get();
            tx = JpaTransactions.jta(container.select(EntityManagerFactory.class).get(),
                    container.select(TransactionManager.class).get());
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        event("READY " + node.id());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            handle(line);
        }
        Runtime.getRuntime().halt(0);
    }

    /** Says an event to the parent. */
    static void event(String text) {
        say("@" + text);
    }

    private static void reply(String id, String text) {
        say("@" + id + " " + text);
    }

    private static synchronized void say(String line) {
        PROTOCOL.print(line.replace('\n', ' ') + "\n");
        PROTOCOL.flush();
        if (PROTOCOL.checkError()) {
            Runtime.getRuntime().halt(2); // the parent is gone
        }
    }

    private static void handle(String line) {
        String[] w = line.split(" ");
        String id = w[0];
        try {
            switch (w[1]) {
                case "SUBMIT" -> submit(id, w);
                case "STATUS" -> {
                    NodeStatus s = node.status();
                    reply(id, "STATUS " + s.role() + " " + (s.leaderId() == null ? "-" : s.leaderId()) + " "
                            + s.term() + " " + s.commitIndex() + " " + s.appliedIndex() + " " + s.lastIndex() + " "
                            + s.firstIndex() + " " + s.snapshotIndex() + " " + node.snapshotsTaken() + " "
                            + node.snapshotsInstalled());
                }
                case "SNAPSHOT" -> node.takeSnapshot().whenComplete((meta, failure) -> reply(id,
                        failure != null ? "FAILED " + failure : "SNAPSHOT " + meta.index()));
                case "LEDGER" -> reply(id, "LEDGER " + ledger());
                default -> reply(id, "FAILED unknown request " + w[1]);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            reply(id, "FAILED " + e);
        }
    }

    private static void submit(String id, String[] w) {
        String session = w[2];
        long sequence = Long.parseLong(w[3]);
        boolean first = w[4].equals("1");
        Object command = switch (w[5]) {
            case "D" -> new Deposit(w[6], Long.parseLong(w[7]));
            case "T" -> new TrackedTransfer(w[6], w[7], w[8], Long.parseLong(w[9]));
            default -> throw new IllegalArgumentException("no command " + w[5]);
        };
        CompletionStage<CommandResult> result;
        if (session.equals("-")) {
            result = client.submit(command);
        } else {
            // A session object per request: the parent's client numbers its commands and sends one at a time, so
            // the sequence is also the lowest it still awaits.
            ClientSession s = node.session(session);
            byte[] bytes = client.encode(command);
            result = first ? s.submit(sequence, bytes) : s.resubmit(sequence, bytes);
        }
        result.whenComplete((r, failure) -> reply(id, failure != null ? "FAILED " + failure : describe(r)));
    }

    private static String describe(CommandResult r) {
        if (r instanceof CommandResult.Ok ok) {
            return "OK " + ok.index() + " " + new String(ok.result(), StandardCharsets.UTF_8);
        } else if (r instanceof CommandResult.ApplicationError e) {
            return "ERROR " + e.index() + " " + e.message();
        } else if (r instanceof CommandResult.Retry x) {
            return "RETRY " + x.reason();
        } else if (r instanceof CommandResult.Indeterminate x) {
            return "INDETERMINATE " + x.reason();
        } else if (r instanceof CommandResult.Refused x) {
            return "REFUSED " + x.reason();
        } else if (r instanceof CommandResult.Redirect x) {
            return "REDIRECT " + x.leaderId();
        }
        return "FAILED unknown result " + r;
    }

    /**
     * The applied index with the ledger at that index. Each statement of a READ COMMITTED transaction sees the
     * latest commits, so the index is read before and after the tables: equal, nothing was applied in between.
     */
    private static String ledger() {
        for (int attempt = 0; attempt < 100; attempt++) {
            String dump = tx.inTransaction(em -> {
                long before = appliedIndex(em);
                String accounts = pairs(em, "SELECT id, balance FROM test_account ORDER BY id");
                String transfers = pairs(em, "SELECT id, times FROM test_applied_transfer ORDER BY id");
                return before == appliedIndex(em) ? before + " " + accounts + " " + transfers : null;
            });
            if (dump != null) {
                return dump;
            }
        }
        throw new IllegalStateException("the ledger kept changing under 100 reads");
    }

    private static long appliedIndex(EntityManager em) {
        List<?> rows = em.createNativeQuery("SELECT applied_index FROM raft_applied WHERE cluster_id = ?1"
                        + " AND node_id = ?2")
                .setParameter(1, System.getProperty("raft.cluster-id", "default")).setParameter(2, node.id())
                .getResultList();
        return rows.isEmpty() ? 0 : ((Number) rows.get(0)).longValue();
    }

    private static String pairs(EntityManager em, String sql) {
        List<?> rows = em.createNativeQuery(sql).getResultList();
        if (rows.isEmpty()) {
            return "-";
        }
        return rows.stream().map(r -> {
            Object[] row = (Object[]) r;
            return row[0] + ":" + row[1];
        }).collect(Collectors.joining(","));
    }
}
