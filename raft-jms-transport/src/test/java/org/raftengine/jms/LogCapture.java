package org.raftengine.jms;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what {@link JmsTransport} logs (System.Logger goes to java.util.logging when no other
 * backend is installed), with the parameters filled in.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger(JmsTransport.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    /** Every line so far, formatted, prefixed with its level. */
    List<String> lines() {
        java.util.logging.Formatter f = new java.util.logging.SimpleFormatter();
        return records.stream().map(r -> r.getLevel() + " " + f.formatMessage(r)).toList();
    }

    /** The lines that contain {@code text}. */
    List<String> linesContaining(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
