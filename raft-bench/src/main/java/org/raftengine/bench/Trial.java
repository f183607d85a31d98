package org.raftengine.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One trial: a fresh cluster of one system, {@code clients} closed-loop clients, a warm-up, a measured
 * window, then a drain and a stop.
 *
 * <p>Clients are callback-chained, not threads: each has one command in flight, and submits its next
 * command from the completion callback of the previous one, on whatever thread the system completes
 * it (raftengine: the leader's callback thread; MicroRaft: the leader's Raft thread). A command the
 * system refuses (not the leader, back-pressure) or that fails is submitted again after 1 ms from a
 * small scheduler thread, with its original start time, so its latency includes the retry.
 *
 * <p>For a system whose clients read ({@link BenchSystem#readCounts}), each "command" is a linearizable read and
 * its latency submit-to-served; the system's own counts of reads served and of reads on the lease are taken as
 * the window opens and closes.
 */
final class Trial {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final long RETRY_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int DRAIN = 2;

    private final BenchSystem system;
    private final int clientCount;
    private final int commandBytes;
    /** Submit-to-commit latencies of the measured window, 3 significant digits, recorded from any thread. */
    private final Recorder latencies = new Recorder(3);
    private final LongAdder retries = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final ScheduledExecutorService retryScheduler = Waits.daemonScheduler("bench-retry");
    private volatile int phase = WARMUP;

    private Trial(BenchSystem system, int clientCount, int commandBytes) {
        if (clientCount < 1) {
            throw new IllegalArgumentException("clients must be at least 1");
        }
        if (commandBytes < 16) {
            throw new IllegalArgumentException("commands must be at least 16 bytes");
        }
        this.system = system;
        this.clientCount = clientCount;
        this.commandBytes = commandBytes;
    }

    /** Runs one trial of {@code system} (fresh, not started) and stops it, whatever happens. */
    static TrialResult run(BenchSystem system, int clients, int commandBytes, int round,
                           Duration warmup, Duration measure) throws Exception {
        return new Trial(system, clients, commandBytes).run(round, warmup, measure);
    }

    private TrialResult run(int round, Duration warmup, Duration measure) throws Exception {
        // The previous trial's garbage is not this one's.
        System.gc();
        long startupBegin = System.nanoTime();
        try {
            system.start(START_TIMEOUT);
            long startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startupBegin);

            List<Client> clients = new ArrayList<>(clientCount);
            for (int i = 0; i < clientCount; i++) {
                clients.add(new Client(i));
            }
            outstanding.set(clientCount);
            for (Client c : clients) {
                c.next();
            }
            Waits.pause(warmup.toNanos());

            JvmMeters.resetHeapPeaks();
            Map<Long, Long> allocBefore = JvmMeters.allocatedByThread();
            long cpuBefore = JvmMeters.processCpuNanos();
            long gcCountBefore = JvmMeters.gcCount();
            long gcMillisBefore = JvmMeters.gcMillis();
            long begin;
            long end;
            long longestPause;
            BenchSystem.ReadCounts readsBefore;
            BenchSystem.ReadCounts readsAfter;
            try (JvmMeters.PauseWatch pauses = new JvmMeters.PauseWatch()) {
                latencies.reset();
                readsBefore = system.readCounts();
                begin = System.nanoTime();
                phase = MEASURE;
                Waits.pause(measure.toNanos());
                phase = DRAIN;
                end = System.nanoTime();
                readsAfter = system.readCounts();
                longestPause = pauses.longestMillis();
            }
            Histogram histogram = latencies.getIntervalHistogram();
            Map<Long, Long> allocAfter = JvmMeters.allocatedByThread();
            long cpuAfter = JvmMeters.processCpuNanos();
            long peakHeap = JvmMeters.peakHeapBytes();
            long gcCount = JvmMeters.gcCount() - gcCountBefore;
            long gcMillis = JvmMeters.gcMillis() - gcMillisBefore;

            long committed = histogram.getTotalCount();
            double seconds = (end - begin) / 1e9;
            boolean drained = Waits.untilTrue(DRAIN_TIMEOUT, () -> outstanding.get() == 0);
            System.gc();
            long retained = JvmMeters.usedHeapBytes();

            String diagnostics = system.diagnostics();
            if (!drained) {
                diagnostics = (diagnostics + " undrained=" + outstanding.get()).trim();
            }
            double perCommit = Math.max(1, committed);
            return new TrialResult(system.name(), clientCount, round, committed, seconds,
                    histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getMaxValue(),
                    histogram.getMean(),
                    JvmMeters.allocatedBetween(allocBefore, allocAfter) / perCommit,
                    cpuBefore < 0 ? -1 : (cpuAfter - cpuBefore) / perCommit,
                    peakHeap, retained, gcCount, gcMillis, longestPause, retries.sum(), failures.sum(), startupMillis,
                    diagnostics, readsBefore == null ? -1 : readsAfter.served() - readsBefore.served(),
                    readsBefore == null ? -1 : readsAfter.onLease() - readsBefore.onLease());
        } finally {
            phase = DRAIN;
            try {
                system.stop(STOP_TIMEOUT);
            } finally {
                retryScheduler.shutdownNow();
            }
        }
    }

    /** One closed-loop client: one command in flight, the next submitted from the previous one's completion. */
    private final class Client implements BenchSystem.SubmitCallback {
        private final int id;
        private long sequence;
        private byte[] command;
        private long startNanos;

        Client(int id) {
            this.id = id;
        }

        /** Submits a new command, or leaves the loop once the measured window is over. */
        void next() {
            if (phase == DRAIN) {
                outstanding.decrementAndGet();
                return;
            }
            sequence++;
            byte[] c = new byte[commandBytes];
            ByteBuffer.wrap(c).putInt(id).putLong(sequence);
            command = c;
            startNanos = System.nanoTime();
            system.submit(c, this);
        }

        private void resubmit() {
            if (phase == DRAIN) {
                outstanding.decrementAndGet();
                return;
            }
            system.submit(command, this);
        }

        @Override
        public void completed(BenchSystem.Outcome outcome) {
            boolean measuring = phase == MEASURE;
            if (outcome == BenchSystem.Outcome.COMMITTED) {
                if (measuring) {
                    latencies.recordValue(System.nanoTime() - startNanos); // its count is the commit count
                }
                next();
                return;
            }
            if (measuring) {
                (outcome == BenchSystem.Outcome.RETRY ? retries : failures).increment();
            }
            try {
                retryScheduler.schedule(this::resubmit, RETRY_DELAY_NANOS, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                // The trial is over and its scheduler gone.
                outstanding.decrementAndGet();
            }
        }
    }
}
