package org.raftengine.demo.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Bounded waits on real processes (Awaitility, polling every 100 ms), for the demo's driver and the multi-process
 * tests: an exception the condition throws ends the wait at once; the deadline fails naming what was awaited.
 */
public final class Wait {
    private Wait() {
    }

    /** Waits until {@code condition} is true. */
    public static void until(String what, Duration atMost, Callable<Boolean> condition) {
        try {
            Awaitility.await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("not within " + atMost.toSeconds() + " s: " + what, e);
        }
    }
}
