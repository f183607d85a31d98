package org.raftengine.bench;

/**
 * What one trial (one fresh cluster of one system at one client count) measured.
 *
 * @param commits         commands committed inside the measured window (for a system whose clients read: reads
 *                        served), as the clients saw them complete
 * @param seconds         length of the measured window
 * @param p50Nanos        median latency, submit to commit, of the commands committed in the window
 * @param allocPerCommit  bytes allocated by the whole JVM in the window, per commit
 * @param cpuPerCommitNs  process CPU time in the window, per commit
 * @param peakHeapBytes   the heap's peak in the window (sum of the heap pools' peaks)
 * @param retainedBytes   heap in use after a full collection at the end, the cluster still up
 * @param gcMillis        time the collectors report for the window (G1: its pauses)
 * @param longestPauseMillis the longest collection pause that ended in the window
 * @param retries         submissions answered "retry" (not the leader, back-pressure) in the window
 * @param failures        submissions that failed or whose outcome was unknown in the window
 * @param startupMillis   from creating the nodes to a leader known
 * @param reads           for a system whose clients read: reads the system served in the window, by its own count
 *                        ({@link BenchSystem#readCounts}); -1 for one whose clients write
 * @param leaseReads      of those, the reads whose read index the leader gave on its lease; -1 as above
 */
public record TrialResult(String system, int clients, int round, long commits, double seconds,
                          long p50Nanos, long p99Nanos, long maxNanos, double meanNanos,
                          double allocPerCommit, double cpuPerCommitNs, long peakHeapBytes, long retainedBytes,
                          long gcCount, long gcMillis, long longestPauseMillis, long retries, long failures,
                          long startupMillis, String diagnostics, long reads, long leaseReads) {

    private static final int FIELDS = 22;

    /** The result of a trial whose clients write. */
    public TrialResult(String system, int clients, int round, long commits, double seconds,
                       long p50Nanos, long p99Nanos, long maxNanos, double meanNanos,
                       double allocPerCommit, double cpuPerCommitNs, long peakHeapBytes, long retainedBytes,
                       long gcCount, long gcMillis, long longestPauseMillis, long retries, long failures,
                       long startupMillis, String diagnostics) {
        this(system, clients, round, commits, seconds, p50Nanos, p99Nanos, maxNanos, meanNanos, allocPerCommit,
                cpuPerCommitNs, peakHeapBytes, retainedBytes, gcCount, gcMillis, longestPauseMillis, retries, failures,
                startupMillis, diagnostics, -1, -1);
    }

    /** True if the clients read (see {@link BenchSystem#readCounts}). */
    public boolean readWorkload() {
        return reads >= 0;
    }

    /** The share of the window's reads served on the lease (0 to 1), or -1 if the clients write or none served. */
    public double leaseFraction() {
        return reads > 0 ? (double) leaseReads / reads : -1;
    }

    /** Commits per second in the measured window. */
    public double throughput() {
        return seconds > 0 ? commits / seconds : 0;
    }

    /** The share of the measured window spent in garbage collection, in percent. */
    public double gcPercent() {
        return seconds > 0 ? gcMillis / (seconds * 10) : 0;
    }

    /** One line, tab-separated, for a trial's JVM to hand its result to the parent (see {@link #parse}). */
    String toLine() {
        return String.join("\t", system, Integer.toString(clients), Integer.toString(round), Long.toString(commits),
                Double.toString(seconds), Long.toString(p50Nanos), Long.toString(p99Nanos), Long.toString(maxNanos),
                Double.toString(meanNanos), Double.toString(allocPerCommit), Double.toString(cpuPerCommitNs),
                Long.toString(peakHeapBytes), Long.toString(retainedBytes), Long.toString(gcCount),
                Long.toString(gcMillis), Long.toString(longestPauseMillis), Long.toString(retries),
                Long.toString(failures), Long.toString(startupMillis), diagnostics.replaceAll("[\\t\\r\\n]", " "),
                Long.toString(reads), Long.toString(leaseReads));
    }

    /**
     * The result {@link #toLine} wrote.
     *
     * @throws IllegalArgumentException if the line is not one
     */
    static TrialResult parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != FIELDS) {
            throw new IllegalArgumentException("not a trial result (" + f.length + " fields, " + FIELDS
                    + " expected): " + line);
        }
        try {
            return new TrialResult(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                    Double.parseDouble(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                    Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]),
                    Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]),
                    Long.parseLong(f[15]), Long.parseLong(f[16]), Long.parseLong(f[17]), Long.parseLong(f[18]), f[19],
                    Long.parseLong(f[20]), Long.parseLong(f[21]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a trial result: " + line, e);
        }
    }
}
