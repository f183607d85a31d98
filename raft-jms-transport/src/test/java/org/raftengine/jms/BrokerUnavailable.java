package org.raftengine.jms;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when the broker it needs is not there: skip with the reason on a developer's machine,
 * fail under {@code CI=true}, where every broker must be present.
 */
final class BrokerUnavailable {

    private BrokerUnavailable() {
    }

    /** Skips the calling test, or fails it under CI=true; never returns normally. */
    static void skipOrFail(String why, Throwable cause) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and " + why, cause);
        }
        Assumptions.abort("skipped: " + why);
    }
}
