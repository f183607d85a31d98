package org.raftengine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketsCoverEveryValueWithoutGapsOrOverlaps() {
        long[] samples = {0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 1_000, 1_000_000, 123_456_789L, Long.MAX_VALUE};
        for (long v : samples) {
            int b = LatencyHistogram.bucketOf(v);
            assertThat(LatencyHistogram.lowestIn(b)).as("low of %d", v).isLessThanOrEqualTo(v);
            assertThat(LatencyHistogram.highestIn(b)).as("high of %d", v).isGreaterThanOrEqualTo(v);
        }
        for (int b = 1; b < LatencyHistogram.bucketOf(Long.MAX_VALUE); b++) {
            assertThat(LatencyHistogram.lowestIn(b)).isEqualTo(LatencyHistogram.highestIn(b - 1) + 1);
        }
    }

    @Test
    void quantilesAreWithinThreePercentOfTheExactOnes() {
        LatencyHistogram h = new LatencyHistogram();
        SplittableRandom random = new SplittableRandom(7);
        long[] values = new long[100_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(random.nextDouble(Math.log(1_000), Math.log(100_000_000)));
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            long exact = values[(int) Math.ceil(q * values.length) - 1];
            assertThat((double) h.quantile(q)).as("q=%s", q).isBetween((double) exact, exact * 1.032);
        }
        assertThat(h.quantile(1.0)).isEqualTo(values[values.length - 1]);
        assertThat(h.max()).isEqualTo(values[values.length - 1]);
        assertThat(h.count()).isEqualTo(values.length);
        assertThat(h.mean()).isCloseTo(Arrays.stream(values).average().orElseThrow(), within(1e-6));
    }

    @Test
    void anEmptyHistogramAnswersZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.quantile(0.99)).isZero();
        assertThat(h.max()).isZero();
        assertThat(h.mean()).isZero();
    }
}
