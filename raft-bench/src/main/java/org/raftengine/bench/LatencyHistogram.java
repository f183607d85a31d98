package org.raftengine.bench;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A log-bucketed histogram of non-negative values (latencies in nanoseconds), safe to record into from
 * many threads at once.
 *
 * <p>Values below 32 have a bucket each; above, every power of two is split into 32 equal buckets, so a
 * reported quantile is at most about 3% above the true value (it reports the top of its bucket,
 * never more than the true maximum). The count, sum and maximum are exact.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder sum = new LongAdder();
    private final LongAccumulator max = new LongAccumulator(Math::max, 0);

    /** Records one value; a negative value is taken as 0. */
    public void record(long value) {
        long v = Math.max(0, value);
        counts.incrementAndGet(bucketOf(v));
        sum.add(v);
        max.accumulate(v);
    }

    static int bucketOf(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    static long lowestIn(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exp = bucket / SUB + SUB_BITS - 1;
        long sub = bucket % SUB;
        return (SUB + sub) << (exp - SUB_BITS);
    }

    static long highestIn(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exp = bucket / SUB + SUB_BITS - 1;
        return lowestIn(bucket) + (1L << (exp - SUB_BITS)) - 1;
    }

    /** The number of values recorded. */
    public long count() {
        long n = 0;
        for (int b = 0; b < BUCKETS; b++) {
            n += counts.get(b);
        }
        return n;
    }

    /** The largest value recorded, 0 if none. */
    public long max() {
        return max.get();
    }

    /** The mean of the values recorded, 0 if none. */
    public double mean() {
        long n = count();
        return n == 0 ? 0 : (double) sum.sum() / n;
    }

    /**
     * The value at quantile {@code q} (0 &lt; q &lt;= 1): the top of the bucket holding the
     * ceil(q * count)-th smallest value, capped at the maximum; 0 if empty. Read it once recording
     * has stopped for an exact answer; during recording it is approximate.
     */
    public long quantile(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1]: " + q);
        }
        long n = count();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts.get(b);
            if (seen >= rank) {
                return Math.min(highestIn(b), max.get());
            }
        }
        return max.get();
    }

    /**
     * The non-empty buckets as {@code bucket:count,...} (then {@code ;max}), or {@code -} if empty: a histogram
     * sent between JVMs, read back by {@link #add(String)}.
     */
    public String encode() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < BUCKETS; i++) {
            long n = counts.get(i);
            if (n > 0) {
                b.append(b.length() == 0 ? "" : ",").append(i).append(':').append(n);
            }
        }
        return b.length() == 0 ? "-" : b.append(';').append(max.get()).toString();
    }

    /**
     * Adds a histogram {@link #encode}d elsewhere: counts and maximum exact, the sum taken as each bucket's
     * lowest value (so {@link #mean()} reads low; quantiles are exact to the bucket).
     */
    public void add(String encoded) {
        if (encoded.equals("-")) {
            return;
        }
        String[] parts = encoded.split(";");
        for (String pair : parts[0].split(",")) {
            int colon = pair.indexOf(':');
            int bucket = Integer.parseInt(pair.substring(0, colon));
            long n = Long.parseLong(pair.substring(colon + 1));
            counts.addAndGet(bucket, n);
            sum.add(lowestIn(bucket) * n);
        }
        max.accumulate(Long.parseLong(parts[1]));
    }
}
