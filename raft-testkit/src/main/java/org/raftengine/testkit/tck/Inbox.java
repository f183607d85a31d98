package org.raftengine.testkit.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.spi.MessageSink;

/**
 * A {@link MessageSink} that keeps what a transport delivers, for a test to wait on: every wait is
 * bounded and wakes as soon as a message arrives.
 */
public final class Inbox implements MessageSink {

    private final LinkedBlockingQueue<RaftMessage> messages = new LinkedBlockingQueue<>();
    private final AtomicLong accepted = new AtomicLong();

    /** Keeps the message; never blocks. */
    @Override
    public void accept(RaftMessage message) {
        messages.add(message);
        accepted.incrementAndGet();
    }

    /** The next message, or {@code null} if none arrives within {@code timeout}. */
    public RaftMessage poll(Duration timeout) throws InterruptedException {
        return messages.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next message, waiting at most {@code timeout}; fails with {@code what} if none arrives. */
    public RaftMessage take(Duration timeout, String what) throws InterruptedException {
        RaftMessage m = poll(timeout);
        if (m == null) {
            throw new AssertionError("no message within " + timeout + ": " + what);
        }
        return m;
    }

    /** The messages received and not yet taken, removed from the inbox. */
    public List<RaftMessage> drain() {
        List<RaftMessage> out = new ArrayList<>();
        messages.drainTo(out);
        return out;
    }

    /** How many messages this inbox has accepted in all. */
    public long accepted() {
        return accepted.get();
    }
}
