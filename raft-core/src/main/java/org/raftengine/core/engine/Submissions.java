package org.raftengine.core.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Requests submitted from any thread (commands, reads), taken in one protocol event, which batches them: one
 * drain event is scheduled at a time. A request is answered even when the node halts while it is being
 * submitted: the halt clears the running flag, then drains what is queued; the submitter queues, then reads
 * the flag again. The flag and the queue are both volatile, so one of the two sees the other's write, and
 * answers the request (an event queued meanwhile would never run).
 */
final class Submissions<T> {
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final EventLoop events;
    private final Runnable drain;

    /** {@code drain} runs as a protocol event; it calls {@link #beginDrain} first, then {@link #poll}s. */
    Submissions(EventLoop events, Runnable drain) {
        this.events = events;
        this.drain = drain;
    }

    /**
     * Queues {@code request} (the node is running when this is called) and schedules a drain; if the node
     * stopped meanwhile, every request still queued goes to {@code refuse}, on this thread.
     */
    void add(T request, Consumer<? super T> refuse) {
        queue.add(request);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                events.post(drain);
            } catch (RejectedExecutionException stopped) {
                drainScheduled.set(false);
            }
        }
        if (!events.isRunning()) {
            drainTo(refuse);
        }
    }

    /** At the start of a drain event: requests added from now on schedule the next one. */
    void beginDrain() {
        drainScheduled.set(false);
    }

    /** The next request queued, or null. */
    T poll() {
        return queue.poll();
    }

    /** Hands every request still queued to {@code to}. */
    void drainTo(Consumer<? super T> to) {
        T request;
        while ((request = queue.poll()) != null) {
            to.accept(request);
        }
    }
}
