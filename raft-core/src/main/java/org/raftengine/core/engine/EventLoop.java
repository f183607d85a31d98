package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.raftengine.core.Cancellable;
import org.raftengine.core.runtime.NodeRuntime;

/**
 * The node's actor loop. Every input (message, client call, timer, storage or apply completion) runs as
 * one event on the runtime's protocol executor, one at a time, and only events touch Raft state. After
 * each event the engine's follow-up work runs; an exception that escapes an event is a broken invariant
 * and halts the node.
 */
final class EventLoop {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());

    private final String nodeId;
    private final NodeRuntime runtime;
    private final Runnable afterEvent;
    private final Consumer<String> halt;
    /** Read from any thread: clients are refused at once when the node does not run. */
    private volatile boolean running;

    EventLoop(String nodeId, NodeRuntime runtime, Runnable afterEvent, Consumer<String> halt) {
        this.nodeId = nodeId;
        this.runtime = runtime;
        this.afterEvent = afterEvent;
        this.halt = halt;
    }

    boolean isRunning() {
        return running;
    }

    /** Once false, no event runs any more: what is queued is dropped. */
    void setRunning(boolean running) {
        this.running = running;
    }

    /** Queues {@code task} as an event; from any thread. Throws once the runtime is shut down. */
    void post(Runnable task) {
        runtime.protocolExecutor().execute(() -> run(task));
    }

    /** Queues {@code task} as an event; from any thread. Once the runtime is shut down nobody is left to tell. */
    void execute(Runnable task) {
        try {
            post(task);
        } catch (RejectedExecutionException stopped) {
            // The runtime is shut down: the node no longer runs.
        }
    }

    /** Runs {@code task} as an event after {@code delayNanos}. */
    Cancellable schedule(long delayNanos, Runnable task) {
        return runtime.schedule(delayNanos, () -> run(task));
    }

    /** Runs {@code task} as an event, here and now: the caller is on the protocol executor. */
    void run(Runnable task) {
        if (!running) {
            return;
        }
        try {
            task.run();
            afterEvent.run();
        } catch (RuntimeException | Error bug) {
            // A broken invariant inside the engine: stopping is safer than going on with doubtful state.
            LOG.log(Level.ERROR, "node " + nodeId + ": internal error, stopping the node", bug);
            halt.accept("internal error: " + bug);
        }
    }
}
