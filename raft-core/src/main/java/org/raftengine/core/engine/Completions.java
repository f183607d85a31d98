package org.raftengine.core.engine;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.raftengine.core.runtime.NodeRuntime;

/**
 * Client futures (commands, reads, leadership transfers) settled during the current event. They complete together when the event ends, on the
 * callback executor: user callbacks chained on a future run where it completes, so never on the
 * protocol thread, and it costs one callback task per event, not one per command.
 */
final class Completions {
    private final NodeRuntime runtime;
    /** Futures and their results, in pairs. */
    private final ArrayList<Object> pending = new ArrayList<>();

    Completions(NodeRuntime runtime) {
        this.runtime = runtime;
    }

    <T> void complete(CompletableFuture<T> future, T result) {
        pending.add(future);
        pending.add(result);
    }

    @SuppressWarnings("unchecked")
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Object[] batch = pending.toArray();
        pending.clear();
        Runnable task = () -> {
            for (int i = 0; i < batch.length; i += 2) {
                ((CompletableFuture<Object>) batch[i]).complete(batch[i + 1]);
            }
        };
        try {
            runtime.callbackExecutor().execute(task);
        } catch (RejectedExecutionException stopped) {
            task.run();
        }
    }
}
