package org.raftengine.bench;

import java.util.List;

/** The systems the harness knows by name. Ratis and JGroups-raft join here as further implementations. */
public final class BenchSystems {

    /** Every system name, in the order the full benchmark runs them. */
    public static final List<String> ALL = List.of("raftengine", "raftengine-codec", "microraft", "jgroups-raft", "ratis");

    /** Systems that can be named in {@code --systems} but are not part of the comparison. */
    public static final List<String> DIAGNOSTIC = List.of("raftengine-threads");

    /**
     * raftengine's set-up whose clients read instead of writing: linearizable reads on the leader by ReadIndex,
     * and on the leader's lease (see {@link RaftEngineSystem.Workload}). {@code --reads} runs them beside
     * {@code raftengine}'s writes.
     */
    public static final List<String> READS = List.of("raftengine-read-index", "raftengine-lease-read");

    private BenchSystems() {
    }

    /**
     * Makes a fresh, unstarted instance of the named system.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static BenchSystem create(String name) {
        return switch (name) {
            case "raftengine" -> new RaftEngineSystem(RaftEngineSystem.Variant.PLAIN);
            case "raftengine-codec" -> new RaftEngineSystem(RaftEngineSystem.Variant.CODEC);
            case "raftengine-threads" -> new RaftEngineSystem(RaftEngineSystem.Variant.THREADS);
            case "raftengine-read-index" -> new RaftEngineSystem(RaftEngineSystem.Variant.PLAIN,
                    RaftEngineSystem.Workload.READ_INDEX);
            case "raftengine-lease-read" -> new RaftEngineSystem(RaftEngineSystem.Variant.PLAIN,
                    RaftEngineSystem.Workload.LEASE_READ);
            case "microraft" -> new MicroRaftSystem();
            case "ratis" -> new RatisSystem();
            case "jgroups-raft" -> new JGroupsRaftSystem();
            default -> throw new IllegalArgumentException("unknown system '" + name + "'; known: " + ALL + ", " + DIAGNOSTIC + " and " + READS);
        };
    }

    /** True for the systems whose clients read (see {@link #READS}). */
    public static boolean isReads(String name) {
        return READS.contains(name);
    }

    /** True for the systems that are raftengine itself (in any configuration), not a peer library. */
    public static boolean isRaftengine(String name) {
        return name.startsWith("raftengine");
    }
}
