package org.raftengine.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The rounds of one system at one client count, reduced to medians (the maximum latency is the
 * maximum over all rounds). For a system whose clients read, {@code reads} and {@code leaseReads} are the
 * rounds' sums (-1 for one whose clients write).
 */
public record Summary(String system, int clients, List<TrialResult> rounds, double throughput,
                      double p50Nanos, double p99Nanos, long maxNanos, double allocPerCommit,
                      double cpuPerCommitNs, double peakHeapBytes, double retainedBytes,
                      long gcCount, long gcMillis, double gcPercent, long longestPauseMillis, long retries,
                      long failures, String diagnostics, long reads, long leaseReads) {

    /** Reduces the rounds (at least one, all of one system and client count). */
    public static Summary of(List<TrialResult> rounds) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        TrialResult first = rounds.get(0);
        long max = 0;
        long gcCount = 0;
        long gcMillis = 0;
        long longestPause = 0;
        long retries = 0;
        long failures = 0;
        long reads = -1;
        long leaseReads = -1;
        List<String> notes = new ArrayList<>();
        for (TrialResult r : rounds) {
            max = Math.max(max, r.maxNanos());
            gcCount += r.gcCount();
            gcMillis += r.gcMillis();
            longestPause = Math.max(longestPause, r.longestPauseMillis());
            retries += r.retries();
            failures += r.failures();
            if (r.readWorkload()) {
                reads = Math.max(0, reads) + r.reads();
                leaseReads = Math.max(0, leaseReads) + r.leaseReads();
            }
            if (!r.diagnostics().isBlank()) {
                notes.add("r" + r.round() + ":" + r.diagnostics().trim());
            }
        }
        return new Summary(first.system(), first.clients(), List.copyOf(rounds),
                median(rounds, TrialResult::throughput), median(rounds, TrialResult::p50Nanos),
                median(rounds, TrialResult::p99Nanos), max, median(rounds, TrialResult::allocPerCommit),
                median(rounds, TrialResult::cpuPerCommitNs), median(rounds, TrialResult::peakHeapBytes),
                median(rounds, TrialResult::retainedBytes), gcCount, gcMillis, median(rounds, TrialResult::gcPercent),
                longestPause, retries, failures,
                String.join(" ", notes), reads, leaseReads);
    }

    /** True if the clients read. */
    public boolean readWorkload() {
        return reads >= 0;
    }

    /** The share of the rounds' reads served on the lease (0 to 1), or -1 if the clients write or none served. */
    public double leaseFraction() {
        return reads > 0 ? (double) leaseReads / reads : -1;
    }

    /** What the line says of the reads: {@code  lease=P% (L of R reads served in the windows)}, or "" when writing. */
    String leaseNote() {
        if (!readWorkload()) {
            return "";
        }
        return String.format(Locale.ROOT, "  lease=%.2f%% (%d of %d reads served in the windows)",
                Math.max(0, leaseFraction()) * 100, leaseReads, reads);
    }

    static double median(List<TrialResult> rounds, ToDoubleFunction<TrialResult> metric) {
        double[] values = rounds.stream().mapToDouble(metric).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** The summary line: one per system and configuration. */
    public String line() {
        StringBuilder rates = new StringBuilder();
        for (TrialResult r : rounds.stream().sorted(Comparator.comparingInt(TrialResult::round)).toList()) {
            rates.append(rates.length() == 0 ? "" : " ").append(Math.round(r.throughput()));
        }
        return String.format(Locale.ROOT,
                "%-21s c=%-4d throughput=%8.0f ops/s  p50=%8.3f ms  p99=%8.3f ms  max=%8.3f ms  "
                        + "alloc=%7.0f B/op  cpu=%6.1f us/op  peakHeap=%5.0f MB  retained=%5.0f MB  "
                        + "gc=%d (%d ms, %.1f%%, longest pause %d ms)  "
                        + "retries=%d failed=%d  rounds=[%s]%s%s",
                system, clients, throughput, p50Nanos / 1e6, p99Nanos / 1e6, maxNanos / 1e6, allocPerCommit,
                cpuPerCommitNs / 1e3, peakHeapBytes / (1 << 20), retainedBytes / (1 << 20), gcCount, gcMillis,
                gcPercent, longestPauseMillis, retries, failures, rates, leaseNote(),
                diagnostics.isBlank() ? "" : "  " + diagnostics);
    }

    /** One trial's progress line. */
    static String progress(TrialResult r) {
        return String.format(Locale.ROOT,
                "# round %d %-21s c=%-4d %8.0f ops/s  p50=%.3f ms  p99=%.3f ms  max=%.3f ms  alloc=%.0f B/op  "
                        + "cpu=%.1f us/op  gc=%d (%d ms, %.1f%%, longest pause %d ms)  peakHeap=%.0f MB  "
                        + "startup=%d ms%s %s",
                r.round(), r.system(), r.clients(), r.throughput(), r.p50Nanos() / 1e6, r.p99Nanos() / 1e6,
                r.maxNanos() / 1e6, r.allocPerCommit(), r.cpuPerCommitNs() / 1e3, r.gcCount(), r.gcMillis(),
                r.gcPercent(), r.longestPauseMillis(),
                r.peakHeapBytes() / (double) (1 << 20), r.startupMillis(),
                r.readWorkload() ? String.format(Locale.ROOT, "  lease=%.2f%% (%d of %d reads)",
                        Math.max(0, r.leaseFraction()) * 100, r.leaseReads(), r.reads()) : "",
                r.diagnostics());
    }
}
