package org.raftengine.cdi;

import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.event.Event;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/**
 * Fires the {@code @Committed} events of one command, with the request context active: the raw
 * {@link CommittedCommand}, then its typed command if the codec decodes one. Synchronous, on the calling thread,
 * so observers join whatever transaction that thread is in.
 */
final class CommandEvents {
    private static final System.Logger LOG = System.getLogger(CommandEvents.class.getName());

    /**
     * The two events, selected once: {@code Event.select} builds a new event object (in Weld, an injection point
     * with its qualifier set) on every call, which was the largest allocation on the apply thread when it was made
     * per command. Firing through the same event object also lets the container reuse its observer resolution
     * for the payload's type.
     */
    private final Event<CommittedCommand> rawEvent;
    private final Event<Object> typedEvent;
    private final RequestContextController requestContext;
    private final CommandCodec codec;

    CommandEvents(Event<Object> events, RequestContextController requestContext, CommandCodec codec) {
        this.rawEvent = events.select(CommittedCommand.class, Committed.Literal.INSTANCE);
        this.typedEvent = events.select(Committed.Literal.INSTANCE);
        this.requestContext = requestContext;
        this.codec = codec;
    }

    /** Fires the events of {@code command} at {@code index}; returns it, with the result the observers set. */
    CommittedCommand fire(long index, byte[] command) {
        Object typed = null;
        if (codec != null) {
            try {
                typed = codec.decode(command);
            } catch (RuntimeException e) {
                // Not a typed command after all (raw bytes that happen to look like one): raw event only.
                LOG.log(Level.DEBUG, "entry " + index + " does not decode as a typed command: " + e);
            }
        }
        CommittedCommand c = new CommittedCommand(index, command, typed);
        Object payload = typed;
        inRequestContext(() -> {
            CurrentCommand.set(c);
            try {
                rawEvent.fire(c);
                if (payload != null) {
                    typedEvent.fire(payload);
                }
            } finally {
                CurrentCommand.clear();
            }
            return null;
        });
        return c;
    }

    /** Runs {@code work} with the request context active (a new one, unless one is active already). */
    <T> T inRequestContext(Supplier<T> work) {
        boolean activated = requestContext.activate();
        try {
            return work.get();
        } finally {
            if (activated) {
                requestContext.deactivate();
            }
        }
    }
}
