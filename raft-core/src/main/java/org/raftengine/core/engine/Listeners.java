package org.raftengine.core.engine;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.raftengine.core.RaftListener;
import org.raftengine.core.runtime.NodeRuntime;

/** The application's listeners. They are told on the callback executor, never on the protocol thread. */
final class Listeners {
    private static final System.Logger LOG = System.getLogger(RaftEngine.class.getName());

    private final String nodeId;
    private final NodeRuntime runtime;
    private final List<RaftListener> listeners = new CopyOnWriteArrayList<>();

    Listeners(String nodeId, NodeRuntime runtime) {
        this.nodeId = nodeId;
        this.runtime = runtime;
    }

    /** Thread-safe. */
    void add(RaftListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** One callback task for all listeners; a listener that throws does not keep the others from hearing. */
    void tell(Consumer<RaftListener> call) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            runtime.callbackExecutor().execute(() -> {
                for (RaftListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "node " + nodeId + ": a listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException stopped) {
            // Shut down: listeners are no longer told.
        }
    }
}
