package org.raftengine.bench;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.raft.RaftLeaderException;
import org.jgroups.raft.RaftHandle;
import org.jgroups.raft.StateMachine;

/**
 * JGroups-raft 1.0.14 (on JGroups 5.3): three {@link JChannel}s, each with its {@link RaftHandle}, in this
 * JVM, talking over real TCP connections on 127.0.0.1 (not a direct hand-off: every message is serialized,
 * written to a loopback socket and read back), with jgroups-raft's {@code InMemoryLog} and a state machine
 * that only counts what it applies.
 *
 * <p>The stack is jgroups-raft's own {@code raft.xml} with the transport swapped for loopback TCP: {@code TCP}
 * bound to 127.0.0.1 on a free port ({@code port_range=0}, diagnostics off) and {@code TCPPING} listing the
 * three ports (no multicast, no other address); {@code FD_SOCK} (sockets of its own) and {@code CLIENT} (a
 * server socket on every interface) are left out. {@code RAFT} has {@code log_class=InMemoryLog} and a fresh
 * temporary {@code log_dir} per trial (the in-memory logs are keyed by it); everything else, including
 * {@code max_log_size} (a snapshot and log truncation every ~1 MB of log), keeps jgroups-raft's defaults.
 *
 * <p>Commands go to the leader's {@link RaftHandle#setAsync}; its future completes on the leader's RAFT
 * runner thread once the entry is committed and applied there, and the client's next command is submitted
 * from that completion.
 */
final class JGroupsRaftSystem implements BenchSystem {

    private static final List<String> IDS = List.of("n1", "n2", "n3");
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private final List<JChannel> channels = new ArrayList<>();
    private final List<RaftHandle> handles = new ArrayList<>();
    private final AtomicLong leaderChanges = new AtomicLong();
    private volatile RaftHandle leader;
    private Path logDir;

    @Override
    public String name() {
        return "jgroups-raft";
    }

    @Override
    public void start(Duration timeout) throws Exception {
        logDir = Files.createTempDirectory("bench-jgroups-raft-");
        int[] ports = freeLoopbackPorts(IDS.size());
        String cluster = "bench-" + ProcessHandle.current().pid() + "-" + CLUSTERS.incrementAndGet();
        // One after the other: the first becomes the view's coordinator, the others join it (no merge needed).
        for (int i = 0; i < IDS.size(); i++) {
            JChannel channel = new JChannel(new ByteArrayInputStream(
                    stack(IDS.get(i), ports[i], ports, logDir).getBytes(StandardCharsets.UTF_8)));
            channel.name(IDS.get(i));
            channels.add(channel);
            handles.add(new RaftHandle(channel, new CountingStateMachine()));
            channel.connect(cluster);
        }
        RaftHandle found = Waits.until(timeout, this::findLeader);
        if (found == null) {
            throw new IllegalStateException(name() + ": no leader within " + timeout);
        }
        leader = found;
    }

    /**
     * The protocol stack of one member: jgroups-raft's {@code raft.xml} on loopback TCP (see the class
     * comment). Values set here override the system properties JGroups would otherwise read.
     */
    static String stack(String raftId, int port, int[] allPorts, Path logDir) {
        StringBuilder hosts = new StringBuilder();
        for (int p : allPorts) {
            hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1[").append(p).append(']');
        }
        return String.format(Locale.ROOT, """
                <config xmlns="urn:org:jgroups">
                    <TCP bind_addr="127.0.0.1" bind_port="%d" port_range="0" diag.enabled="false"/>
                    <TCPPING initial_hosts="%s" port_range="0"/>
                    <MERGE3 max_interval="30000" min_interval="10000"/>
                    <FD_ALL3/>
                    <VERIFY_SUSPECT timeout="1500"/>
                    <pbcast.NAKACK2 xmit_interval="500" use_mcast_xmit="false" discard_delivered_msgs="true"/>
                    <UNICAST3 xmit_interval="500" conn_expiry_timeout="0"/>
                    <pbcast.STABLE desired_avg_gossip="50000" max_bytes="4M"/>
                    <raft.NO_DUPES/>
                    <pbcast.GMS print_local_addr="false" join_timeout="2000"/>
                    <UFC max_credits="2M" min_threshold="0.4"/>
                    <MFC max_credits="2M" min_threshold="0.4"/>
                    <FRAG4 frag_size="60K"/>
                    <raft.ELECTION/>
                    <raft.RAFT members="%s" raft_id="%s" log_class="org.jgroups.protocols.raft.InMemoryLog"
                               log_dir="%s"/>
                    <raft.REDIRECT/>
                </config>
                """, port, hosts, String.join(",", IDS), raftId, xmlAttribute(logDir.toString()));
    }

    private static String xmlAttribute(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }

    /** Ports free on 127.0.0.1 a moment ago (held together, so distinct). */
    private static int[] freeLoopbackPorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket();
                sockets.add(s);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    /** The member that is leader and that every member knows as the leader, or null. */
    private RaftHandle findLeader() {
        for (RaftHandle h : handles) {
            if (!h.isLeader()) {
                continue;
            }
            Address self = h.channel().getAddress();
            boolean agreed = handles.stream().allMatch(o -> self.equals(o.leader()));
            return agreed ? h : null;
        }
        return null;
    }

    @Override
    public void submit(byte[] command, SubmitCallback callback) {
        RaftHandle target = leader;
        CompletableFuture<byte[]> future;
        try {
            future = target.setAsync(command, 0, command.length);
        } catch (Exception e) {
            refreshLeader(target);
            callback.completed(outcomeOf(e));
            return;
        }
        future.whenComplete((result, error) -> {
            if (error == null) {
                callback.completed(Outcome.COMMITTED);
                return;
            }
            refreshLeader(target);
            callback.completed(outcomeOf(error));
        });
    }

    /**
     * Not the leader (no leader known, or this member isn't it) and a full processing queue are refused
     * before anything is appended: submit again. Anything else may or may not have committed.
     */
    static Outcome outcomeOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof RaftLeaderException) {
            return Outcome.RETRY;
        }
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof IllegalStateException
                && (message.startsWith("I'm not the leader") || message.contains("processing queue is full"))) {
            return Outcome.RETRY;
        }
        return Outcome.FAILED;
    }

    private void refreshLeader(RaftHandle stale) {
        if (leader != stale || stale.isLeader()) {
            return;
        }
        RaftHandle found = findLeader();
        if (found != null && found != stale) {
            leader = found;
            leaderChanges.incrementAndGet();
        }
    }

    @Override
    public void stop(Duration timeout) throws Exception {
        // Followers first, so that the leader's leaving starts no election among them.
        List<JChannel> order = new ArrayList<>(channels);
        RaftHandle last = leader;
        if (last != null) {
            order.remove(last.channel());
            order.add(last.channel());
        }
        Exception failure = null;
        for (JChannel channel : order) {
            try {
                channel.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        for (RaftHandle h : handles) {
            try {
                h.log().delete(); // drops the log from InMemoryLog's static table
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        channels.clear();
        handles.clear();
        if (logDir != null) {
            TempDirs.deleteTree(logDir);
            logDir = null;
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String diagnostics() {
        long changes = leaderChanges.get();
        return changes > 0 ? "leaderChanges=" + changes : "";
    }

    /**
     * Applies a command by counting it; answers nothing. Called on each member's RAFT runner thread only;
     * its snapshot is the count.
     */
    static final class CountingStateMachine implements StateMachine {
        private long applied;

        @Override
        public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
            applied++;
            return null;
        }

        @Override
        public void readContentFrom(DataInput in) throws IOException {
            applied = in.readLong();
        }

        @Override
        public void writeContentTo(DataOutput out) throws IOException {
            out.writeLong(applied);
        }
    }
}
