package org.raftengine.jms.brokers;

/**
 * The broker a test or benchmark asked for cannot be had on this machine (not installed, not running, not
 * controllable). Tests turn it into a skip, or a failure under {@code CI=true}; the benchmark reports the
 * medium as skipped, with this message.
 */
public final class BrokerUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
