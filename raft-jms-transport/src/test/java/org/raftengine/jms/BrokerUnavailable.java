package org.raftengine.jms;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.raftengine.jms.brokers.BrokerUnavailableException;

/**
 * What a test does when the broker it needs is not there: skip with the reason on a developer's machine,
 * fail under {@code CI=true}, where every broker must be present.
 */
final class BrokerUnavailable {

    private BrokerUnavailable() {
    }

    /** A step that may find its broker missing. */
    interface Check<T> {
        T get() throws Exception;
    }

    /** The step's value; if it throws {@link BrokerUnavailableException}, skips the test or fails it under CI=true. */
    static <T> T require(Check<T> step) throws Exception {
        try {
            return step.get();
        } catch (BrokerUnavailableException e) {
            skipOrFail(e.getMessage(), e);
            throw e; // not reached
        }
    }

    /** Runs the check; if it throws {@link BrokerUnavailableException}, skips the test or fails it under CI=true. */
    static void require(Runnable check) throws Exception {
        require(() -> {
            check.run();
            return null;
        });
    }

    /** Skips the calling test, or fails it under CI=true; never returns normally. */
    static void skipOrFail(String why, Throwable cause) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and " + why, cause);
        }
        Assumptions.abort("skipped: " + why);
    }
}
