package org.raftengine.bench;

/**
 * What one trial (one fresh cluster of one system at one client count) measured.
 *
 * @param commits         commands committed inside the measured window
 * @param seconds         length of the measured window
 * @param p50Nanos        median latency, submit to commit, of the commands committed in the window
 * @param allocPerCommit  bytes allocated by the whole JVM in the window, per commit
 * @param cpuPerCommitNs  process CPU time in the window, per commit
 * @param peakHeapBytes   the heap's peak in the window (sum of the heap pools' peaks)
 * @param retainedBytes   heap in use after a full collection at the end, the cluster still up
 * @param retries         submissions answered "retry" (not the leader, back-pressure) in the window
 * @param failures        submissions that failed or whose outcome was unknown in the window
 * @param startupMillis   from creating the nodes to a leader known
 */
public record TrialResult(String system, int clients, int round, long commits, double seconds,
                          long p50Nanos, long p99Nanos, long maxNanos, double meanNanos,
                          double allocPerCommit, double cpuPerCommitNs, long peakHeapBytes, long retainedBytes,
                          long gcCount, long gcMillis, long retries, long failures, long startupMillis,
                          String diagnostics) {

    /** Commits per second in the measured window. */
    public double throughput() {
        return seconds > 0 ? commits / seconds : 0;
    }
}
