package org.raftengine.cdi;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;

/**
 * The command whose events are being fired on this thread, so an observer of a typed command can take
 * {@code @Committed CommittedCommand} as a parameter and set the result. Events are fired synchronously on
 * the apply thread, so the command is the thread's while its observers run, and only then.
 */
@Dependent
public class CurrentCommand {
    private static final ThreadLocal<CommittedCommand> CURRENT = new ThreadLocal<>();

    static void set(CommittedCommand c) {
        CURRENT.set(c);
    }

    static void clear() {
        CURRENT.remove();
    }

    /**
     * The command being applied, for an observer's parameter {@code @Committed CommittedCommand command}.
     *
     * @throws IllegalStateException outside a {@code @Committed} observer
     */
    @Produces
    @Committed
    @Dependent
    static CommittedCommand current() {
        CommittedCommand c = CURRENT.get();
        if (c == null) {
            throw new IllegalStateException("@Committed CommittedCommand is only available to @Committed observers,"
                    + " while they run");
        }
        return c;
    }
}
