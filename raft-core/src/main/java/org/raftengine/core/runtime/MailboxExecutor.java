package org.raftengine.core.runtime;

import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * A single thread draining a lock-free queue: the mailbox of one of a node's executors. Producers
 * never take a lock; the thread parks only when the queue is empty, and a producer wakes it only then.
 * Cheaper per task than a {@code ThreadPoolExecutor}, whose queue takes a lock on every hand-off.
 *
 * <p>Before parking, the thread polls its queue for a while ({@code pollNanos}), yielding the core between
 * polls: a task that comes within that time is taken without a park and an unpark (each a system call,
 * and on a virtual machine an unpark that wakes another core is dearer still). Yielding, not busy-waiting,
 * is what makes the wait cheap when cores are scarce: a node has several mailbox threads, a test or
 * benchmark several nodes, and the thread that will produce the next task is often waiting for this
 * very core; a yield lets it run at once, and costs next to nothing when no other thread wants the core.
 */
final class MailboxExecutor implements Executor {
    private static final System.Logger LOG = System.getLogger(MailboxExecutor.class.getName());
    /**
     * How long an idle mailbox thread keeps polling before it parks, unless told otherwise. Measured with
     * raft-bench on 2 cores (3 nodes in one JVM, 4 to 12 mailbox threads), against busy-waiting
     * (2 microseconds on the protocol thread, 50 on the callback thread): at 64 clients the median round
     * went from 0.86M to 1.40M commands/s and p99 from 0.22 to 0.07 ms; at one client from 57k to 101k
     * commands/s (p99 0.078 to 0.017 ms); with storage and apply on threads of their own, from 350k to
     * 710k. Longer polling (300 microseconds) was slower again: the yields themselves begin to cost. The
     * price: a node with a steady stream of work keeps its mailbox threads running (yielding to any other
     * thread that wants a core).
     */
    static final long DEFAULT_POLL_NANOS = 100_000;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final long pollNanos;
    private volatile boolean sleeping;
    private volatile boolean stopping;
    private volatile boolean drainOnStop;

    MailboxExecutor(String name, long pollNanos) {
        if (pollNanos < 0) {
            throw new IllegalArgumentException("the idle poll must not be negative: " + pollNanos + " ns");
        }
        this.pollNanos = pollNanos;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void execute(Runnable task) {
        if (stopping) {
            throw new RejectedExecutionException(thread.getName() + " is shut down");
        }
        queue.add(task);
        // Read after the add: if the thread went to sleep before seeing the task, it is woken here.
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /** Stops taking tasks; the thread ends after running what is queued ({@code drain}) or at once. */
    void shutdown(boolean drain) {
        drainOnStop = drain;
        stopping = true;
        LockSupport.unpark(thread);
    }

    /**
     * Waits, without a bound, until the thread has ended after {@link #shutdown}: the task it was
     * running, if any, has returned. Not to be called on this executor's own thread.
     */
    void awaitTermination() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                // Stopping must not be cut short: the caller is told it is over only once it is.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isCurrentThread() {
        return Thread.currentThread() == thread;
    }

    private void loop() {
        long idleSince = 0;
        while (true) {
            Runnable task = queue.poll();
            if (task != null) {
                idleSince = 0;
                run(task);
                continue;
            }
            if (stopping) {
                return;
            }
            long now = System.nanoTime();
            if (idleSince == 0) {
                idleSince = now;
            }
            if (now - idleSince < pollNanos) {
                Thread.yield();
                continue;
            }
            sleeping = true;
            // Checked after announcing sleep: a task added before the announcement is seen here.
            if (queue.isEmpty() && !stopping) {
                LockSupport.park(this);
            }
            sleeping = false;
            idleSince = 0;
        }
    }

    private void run(Runnable task) {
        if (stopping && !drainOnStop) {
            return;
        }
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "task on " + thread.getName() + " failed", e);
        }
    }
}
