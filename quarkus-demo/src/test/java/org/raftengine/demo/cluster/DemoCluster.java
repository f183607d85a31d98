package org.raftengine.demo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The demo's cluster as real processes: the Artemis broker (for the JMS transport) and the nodes n1..n4, each a
 * {@code java -jar} of the Quarkus app with its own port, data directory and database (an H2 file, or a schema of
 * its own on PostgreSQL), all on loopback. n1, n2 and n3 are the first members (n1 bootstraps); n4 is started later
 * with empty storage and added. Every node knows every node's URL ({@code demo.peers}) from the start.
 */
public final class DemoCluster implements AutoCloseable {
    /** Every node that may run, in order; the first three make the cluster. */
    public static final List<String> IDS = List.of("n1", "n2", "n3", "n4");
    public static final List<String> FIRST = List.of("n1", "n2", "n3");
    /** The PostgreSQL of {@code --postgres}: this machine's, database {@code test}, trust authentication. */
    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    /** How messages travel between the nodes. */
    public enum Transport { JMS, HTTP }

    /**
     * What to run.
     *
     * @param workDir   where the run's files go (logs, databases, the broker instance); emptied first
     * @param appJar    the Quarkus app's {@code quarkus-run.jar}
     * @param transport jms (and a broker) or http
     * @param postgres  the nodes' databases as schemas on {@link #POSTGRES_URL}, else H2 files
     * @param heapMb    each node's heap
     * @param extra     more system properties for every node
     */
    public record Options(Path workDir, Path appJar, Transport transport, boolean postgres, int heapMb,
                          Map<String, String> extra) {
    }

    private final Options options;
    private final Api api = new Api();
    private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private final String hmacSecret = UUID.randomUUID().toString();
    private Artemis broker;

    public DemoCluster(Options options) {
        this.options = options;
    }

    public Api api() {
        return api;
    }

    public Options options() {
        return options;
    }

    public Optional<Artemis> broker() {
        return Optional.ofNullable(broker);
    }

    /** Empties the work directory, starts the broker (JMS) and prepares every node's settings; starts no node. */
    public void prepare() throws IOException, InterruptedException, SQLException {
        Path dir = options.workDir().toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        if (options.transport() == Transport.JMS) {
            broker = Artemis.start(dir.resolve("broker"));
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String id : IDS) {
            ports.put(id, Ports.free());
        }
        String peers = ports.entrySet().stream().map(e -> e.getKey() + "=http://127.0.0.1:" + e.getValue())
                .collect(Collectors.joining(","));
        if (options.postgres()) {
            dropSchemas();
        }
        for (String id : IDS) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("raft.node-id", id);
            p.put("raft.members", String.join(",", FIRST) + (FIRST.contains(id) ? "" : "," + id));
            p.put("raft.bootstrap", Boolean.toString(id.equals("n1")));
            p.put("raft.transport", options.transport().name().toLowerCase());
            p.put("raft.hmac.secret", hmacSecret);
            p.put("demo.peers", peers);
            p.put("demo.data-dir", dir.resolve(id).toString());
            p.put("quarkus.http.port", Integer.toString(ports.get(id)));
            if (broker != null) {
                p.put("demo.jms.url", broker.url());
                p.put("demo.jms.user", Artemis.USER);
                p.put("demo.jms.password", broker.password());
            }
            if (options.postgres()) {
                p.put("quarkus.datasource.jdbc.url", POSTGRES_URL + "?currentSchema=" + schema(id)
                        + "&reWriteBatchedInserts=true");
                p.put("quarkus.datasource.username", "postgres");
                p.put("demo.db.schema", schema(id));
            }
            p.putAll(options.extra());
            nodes.put(id, new NodeProcess(id, ports.get(id), options.appJar().toAbsolutePath(),
                    dir.resolve(id + ".log"), p, options.heapMb()));
        }
    }

    /** The schema of node {@code id} with {@code --postgres}. */
    public static String schema(String id) {
        return "demo_" + id;
    }

    private void dropSchemas() throws SQLException {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
             Statement s = c.createStatement()) {
            for (String id : IDS) {
                s.execute("DROP SCHEMA IF EXISTS " + schema(id) + " CASCADE");
            }
        }
    }

    public NodeProcess node(String id) {
        NodeProcess n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return n;
    }

    public List<NodeProcess> running() {
        return nodes.values().stream().filter(NodeProcess::alive).toList();
    }

    /** Starts the nodes together and waits until each answers. */
    public void start(List<String> ids, Duration atMost) throws IOException {
        for (String id : ids) {
            node(id).start();
        }
        for (String id : ids) {
            node(id).awaitUp(api, atMost);
        }
    }

    /** This node's view of itself ({@code GET /cluster}), or empty if it does not answer. */
    public Optional<JsonNode> status(String id) {
        Api.Reply r = api.get(node(id).url(), "/cluster", Duration.ofSeconds(2));
        return r.ok() ? Optional.of(r.body()) : Optional.empty();
    }

    /**
     * The leader, if one of the running nodes leads and every running node that knows a leader names it in the same
     * term; empty otherwise.
     */
    public Optional<String> leader() {
        String leader = null;
        long term = -1;
        for (NodeProcess n : running()) {
            Optional<JsonNode> s = status(n.id());
            if (s.isEmpty()) {
                continue;
            }
            if ("LEADER".equals(s.get().path("role").asText()) && s.get().path("term").asLong() > term) {
                leader = n.id();
                term = s.get().path("term").asLong();
            }
        }
        return Optional.ofNullable(leader);
    }

    /** Waits until a running node leads (other than {@code not}, if given); returns it. */
    public String awaitLeader(String not, Duration atMost) {
        String[] found = new String[1];
        Wait.until("a leader" + (not != null ? " other than " + not : ""), atMost, () -> {
            Optional<String> l = leader();
            if (l.isPresent() && !l.get().equals(not)) {
                found[0] = l.get();
                return true;
            }
            return false;
        });
        return found[0];
    }

    /** The pids of everything running, for {@code bin/demo --stop}. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        running().forEach(n -> pids.add(n.pid()));
        if (broker != null && broker.process() != null && broker.process().isAlive()) {
            pids.add(broker.pid());
        }
        return pids;
    }

    /** Stops every node (SIGTERM), then the broker. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (NodeProcess n : nodes.values()) {
            Thread t = new Thread(() -> {
                try {
                    n.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "stop-" + n.id());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (broker != null) {
            try {
                broker.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
