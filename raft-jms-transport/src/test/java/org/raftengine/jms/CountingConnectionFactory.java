package org.raftengine.jms;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import java.util.concurrent.atomic.AtomicInteger;

/** A connection factory that counts the connections asked of it (made or failed), then delegates. */
final class CountingConnectionFactory implements ConnectionFactory {

    private final ConnectionFactory delegate;
    private final AtomicInteger attempts = new AtomicInteger();

    CountingConnectionFactory(ConnectionFactory delegate) {
        this.delegate = delegate;
    }

    int attempts() {
        return attempts.get();
    }

    @Override
    public Connection createConnection() throws JMSException {
        attempts.incrementAndGet();
        return delegate.createConnection();
    }

    @Override
    public Connection createConnection(String userName, String password) throws JMSException {
        attempts.incrementAndGet();
        return delegate.createConnection(userName, password);
    }

    @Override
    public JMSContext createContext() {
        throw new UnsupportedOperationException("the transport uses the classic API");
    }

    @Override
    public JMSContext createContext(String userName, String password) {
        throw new UnsupportedOperationException("the transport uses the classic API");
    }

    @Override
    public JMSContext createContext(String userName, String password, int sessionMode) {
        throw new UnsupportedOperationException("the transport uses the classic API");
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        throw new UnsupportedOperationException("the transport uses the classic API");
    }
}
