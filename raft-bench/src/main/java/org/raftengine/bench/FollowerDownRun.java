package org.raftengine.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.NodeStatus;
import org.raftengine.core.RaftNode;
import org.raftengine.core.RaftNodeConfig;

/**
 * The memory run: raftengine's 3-node cluster, one follower stopped, closed-loop clients pushing commands
 * through the leader for minutes; every few seconds a full GC, then the heap in use, the in-memory logs'
 * own bytes, and the leader's uncommitted entries and apply backlog. The heap is the whole JVM's (three
 * nodes and the harness): the point is that, beside the logs, it stays flat.
 */
final class FollowerDownRun {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    /** Past this share of the maximum heap held by the logs, the run stops early rather than run out of memory. */
    private static final double MAX_LOG_SHARE = 0.6;
    private static final long TOLERANCE_BYTES = 32L << 20;

    private final FollowerDownOptions options;
    /**
     * Frames go through the wire codec, so every node holds entry objects of its own, as separate servers
     * would; handed over directly, the logs would share them and the sum of their bytes would overstate.
     */
    private final RaftEngineSystem system = new RaftEngineSystem(RaftEngineSystem.Variant.CODEC);
    private final LongAdder commits = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Waits.daemonScheduler("bench-follower-down");
    private volatile boolean stopping;

    private FollowerDownRun(FollowerDownOptions options) {
        this.options = options;
    }

    /** Runs the mode; lines go to {@code out}. True if the heap beside the logs stayed bounded. */
    static boolean run(FollowerDownOptions options, PrintStream out) throws Exception {
        return new FollowerDownRun(options).run(out);
    }

    private boolean run(PrintStream out) throws Exception {
        RaftNodeConfig nodeDefaults = RaftNodeConfig.of("n", "bench");
        ClusterSettings s = ClusterSettings.DEFAULTS;
        long maxHeap = Runtime.getRuntime().maxMemory();
        out.printf(Locale.ROOT, "# follower-down: %d clients, %s, %d-byte commands, %.1f min, a sample every %.1f s,"
                        + " max heap %d MB%n", options.clients(),
                options.rate() == 0 ? "no rate limit" : "at most " + options.rate() + " commands/s",
                options.commandBytes(), options.duration().toMillis() / 60_000.0,
                options.sampleEvery().toMillis() / 1000.0, maxHeap >> 20);
        out.printf(Locale.ROOT, "# limits: RaftNodeConfig.maxTailEntries=%d, ClusterSettings.maxUncommittedBytes=%d"
                        + " (%.1f MB), maxApplyBacklog=%d entries, maxInflightAppends=%d x maxBytesPerAppend=%d%n",
                nodeDefaults.maxTailEntries(), s.maxUncommittedBytes(), FollowerDownReport.mb(s.maxUncommittedBytes()),
                s.maxApplyBacklog(), s.maxInflightAppends(), s.maxBytesPerAppend());
        out.println("# jvm: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        List<FollowerDownReport.Sample> samples = new ArrayList<>();
        String stoppedEarly = null;
        system.start(START_TIMEOUT);
        try {
            RaftNode down = system.stopOneFollower(STOP_TIMEOUT);
            out.println("# stopped follower " + down.id() + "; leader " + system.leader().id());
            long begin = System.nanoTime();
            long end = begin + options.duration().toNanos();
            outstanding.set(options.clients());
            for (int i = 0; i < options.clients(); i++) {
                new Client(i, begin).next();
            }
            long nextSample = begin + options.sampleEvery().toNanos();
            while (true) {
                Waits.pause(Math.max(0, Math.min(nextSample, end) - System.nanoTime()));
                FollowerDownReport.Sample sample = sample(begin);
                samples.add(sample);
                out.println(sample.line());
                out.flush();
                if (sample.logBytes() > MAX_LOG_SHARE * maxHeap) {
                    stoppedEarly = String.format(Locale.ROOT, "stopped early: the logs hold %.0f%% of the maximum heap"
                            + " (are snapshots off?); give a lower --rate or a larger BENCH_HEAP",
                            100.0 * sample.logBytes() / maxHeap);
                    break;
                }
                if (System.nanoTime() >= end) {
                    break;
                }
                nextSample += options.sampleEvery().toNanos();
            }
        } finally {
            stopping = true;
            Waits.untilTrue(STOP_TIMEOUT, () -> outstanding.get() == 0);
            scheduler.shutdownNow();
            system.stop(STOP_TIMEOUT);
        }
        if (stoppedEarly != null) {
            out.println("# " + stoppedEarly);
        }
        FollowerDownReport.Verdict verdict = FollowerDownReport.verdict(samples, TOLERANCE_BYTES);
        out.printf(Locale.ROOT, "follower-down: %s; refused (back-pressure) %d%n", verdict.text(), refused.sum());
        return verdict.bounded();
    }

    private FollowerDownReport.Sample sample(long begin) {
        System.gc();
        long heap = JvmMeters.usedHeapBytes();
        long logBytes = system.logBytes();
        NodeStatus leader = system.leader().status();
        return new FollowerDownReport.Sample((System.nanoTime() - begin) / 1e9, commits.sum(), heap, logBytes,
                leader.lastIndex() - leader.commitIndex(), leader.commitIndex() - leader.appliedIndex());
    }

    /** One closed-loop client; with a rate, each client keeps to its share of it. */
    private final class Client implements BenchSystem.SubmitCallback {
        private final int id;
        private final long periodNanos;
        private long nextStartNanos;
        private long sequence;
        private byte[] command;

        Client(int id, long begin) {
            this.id = id;
            this.periodNanos = options.rate() == 0 ? 0 : (long) (1e9 * options.clients() / options.rate());
            this.nextStartNanos = begin + (periodNanos * id) / options.clients();
        }

        void next() {
            if (stopping) {
                outstanding.decrementAndGet();
                return;
            }
            long wait = nextStartNanos - System.nanoTime();
            nextStartNanos = Math.max(nextStartNanos + periodNanos, System.nanoTime());
            if (periodNanos > 0 && wait > 0) {
                schedule(this::submitNew, wait);
            } else {
                submitNew();
            }
        }

        private void submitNew() {
            if (stopping) {
                outstanding.decrementAndGet();
                return;
            }
            sequence++;
            byte[] c = new byte[options.commandBytes()];
            ByteBuffer.wrap(c).putInt(id).putLong(sequence);
            command = c;
            system.submit(c, this);
        }

        private void resubmit() {
            if (stopping) {
                outstanding.decrementAndGet();
                return;
            }
            system.submit(command, this);
        }

        @Override
        public void completed(BenchSystem.Outcome outcome) {
            if (outcome == BenchSystem.Outcome.COMMITTED) {
                commits.increment();
                next();
                return;
            }
            refused.increment();
            schedule(this::resubmit, TimeUnit.MILLISECONDS.toNanos(1));
        }

        private void schedule(Runnable task, long delayNanos) {
            try {
                scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                outstanding.decrementAndGet(); // the run is over and its scheduler gone
            }
        }
    }
}
