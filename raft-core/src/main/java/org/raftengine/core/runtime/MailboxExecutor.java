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
 * <p>Before parking, the thread spins for a while ({@code spinNanos}): a task that comes within that
 * time is taken without a park and an unpark, each a system call.
 */
final class MailboxExecutor implements Executor {
    private static final System.Logger LOG = System.getLogger(MailboxExecutor.class.getName());
    /** Spinning of the protocol, storage and apply threads: short, for there are several per node. */
    static final long SHORT_SPIN_NANOS = 2_000;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final long spinNanos;
    private volatile boolean sleeping;
    private volatile boolean stopping;
    private volatile boolean drainOnStop;

    MailboxExecutor(String name, long spinNanos) {
        this.spinNanos = spinNanos;
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
            if (now - idleSince < spinNanos) {
                Thread.onSpinWait();
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
