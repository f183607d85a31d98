package org.raftengine.bench;

import java.util.List;
import java.util.Locale;

/**
 * What the follower-down run measured, and whether the heap beside the logs stayed bounded.
 *
 * <p>The logs rise and fall with snapshots and compaction, and are reported apart; what the engine must
 * keep bounded is everything else (in-memory tail, pending commands, uncommitted entries, apply backlog, the
 * stopped follower's progress). So the verdict looks at heap minus logs: after the first sample (the JIT
 * and the first pages still settling) it must never rise more than {@code toleranceBytes} above the
 * highest value of the run's first half.
 */
final class FollowerDownReport {

    /** One measurement, taken right after a full GC. */
    record Sample(double seconds, long commits, long heapBytes, long logBytes, long leaderUncommitted,
                  long leaderApplyBacklog) {
        long heapMinusLog() {
            return heapBytes - logBytes;
        }

        String line() {
            return String.format(Locale.ROOT, "t=%6.1f s  commits=%10d  heap=%7.1f MB  logs=%7.1f MB  "
                            + "heap-logs=%6.1f MB  leader: uncommitted=%d entries, apply backlog=%d", seconds, commits,
                    mb(heapBytes), mb(logBytes), mb(heapMinusLog()), leaderUncommitted, leaderApplyBacklog);
        }
    }

    /** The verdict over {@code samples}, in time order. */
    record Verdict(boolean bounded, long baselineBytes, long peakBytes, String text) {
    }

    private FollowerDownReport() {
    }

    static Verdict verdict(List<Sample> samples, long toleranceBytes) {
        if (samples.size() < 3) {
            return new Verdict(false, 0, 0, "too few samples (" + samples.size() + ") to judge: run longer or sample "
                    + "more often");
        }
        List<Sample> settled = samples.subList(1, samples.size());
        int half = Math.max(1, settled.size() / 2);
        long baseline = settled.subList(0, half).stream().mapToLong(Sample::heapMinusLog).max().orElseThrow();
        long peak = settled.stream().mapToLong(Sample::heapMinusLog).max().orElseThrow();
        long min = settled.stream().mapToLong(Sample::heapMinusLog).min().orElseThrow();
        Sample first = settled.get(0);
        Sample last = settled.get(settled.size() - 1);
        double logPerCommit = last.commits() > first.commits()
                ? (double) (last.logBytes() - first.logBytes()) / (last.commits() - first.commits()) : 0;
        boolean bounded = peak <= baseline + toleranceBytes;
        String text = String.format(Locale.ROOT, "%s: heap minus logs between %.1f and %.1f MB (first half's peak %.1f MB,"
                        + " tolerance %.1f MB); logs grew %.1f -> %.1f MB (%.0f B per command, %d commits)",
                bounded ? "BOUNDED" : "GROWING", mb(min), mb(peak), mb(baseline), mb(toleranceBytes),
                mb(first.logBytes()), mb(last.logBytes()), logPerCommit, last.commits() - first.commits());
        return new Verdict(bounded, baseline, peak, text);
    }

    static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
