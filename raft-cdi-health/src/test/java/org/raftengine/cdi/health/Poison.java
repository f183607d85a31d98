package org.raftengine.cdi.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import org.raftengine.cdi.Committed;
import org.raftengine.cdi.CommittedCommand;

/** A buggy state machine: fails the command "poison" with an exception that is no rejection, every time. */
@ApplicationScoped
class Poison {
    void on(@Observes @Committed CommittedCommand c) {
        if ("poison".equals(new String(c.command(), StandardCharsets.UTF_8))) {
            throw new IllegalStateException("a bug in the application's observer");
        }
    }
}
