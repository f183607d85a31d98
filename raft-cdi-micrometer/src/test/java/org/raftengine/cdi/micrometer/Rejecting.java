package org.raftengine.cdi.micrometer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import org.raftengine.cdi.Committed;
import org.raftengine.cdi.CommittedCommand;
import org.raftengine.core.RejectedCommandException;

/** The application's state machine: rejects the command "bad", accepts the others. */
@ApplicationScoped
class Rejecting {
    void on(@Observes @Committed CommittedCommand c) {
        if ("bad".equals(new String(c.command(), StandardCharsets.UTF_8))) {
            throw new RejectedCommandException("bad command");
        }
    }
}
