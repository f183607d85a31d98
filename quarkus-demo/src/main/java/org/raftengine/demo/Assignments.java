package org.raftengine.demo;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import org.raftengine.cdi.Committed;
import org.raftengine.cdi.CommittedCommand;
import org.raftengine.core.RejectedCommandException;

/**
 * Applies the committed assignments, on every node, inside the JTA transaction raft-cdi begins for them (the one
 * that also records the entry as applied): the topic's row and an event row, through the application's own entity
 * manager. Deterministic and with no effect outside the transaction, as observers must be: it runs on every replica,
 * and again after a crash that came before the commit.
 */
@ApplicationScoped
public class Assignments {
    @Inject
    EntityManager em;

    /** Sets the topic's owners; the client gets the topic's new version. */
    void assign(@Observes @Committed AssignTopic assign, @Committed CommittedCommand command) {
        String problem = Validation.commandProblem(assign);
        if (problem != null) {
            throw new RejectedCommandException(problem);
        }
        long index = command.index();
        TopicAssignment row = em.find(TopicAssignment.class, assign.topic());
        long version;
        if (row == null) {
            version = 1;
            em.persist(new TopicAssignment(assign.topic(), assign.owners(), version, index, assign.requestId()));
        } else {
            version = row.version + 1;
            row.owners = String.join(",", assign.owners());
            row.version = version;
            row.logIndex = index;
            row.requestId = assign.requestId();
        }
        em.persist(new AssignmentEvent(index, assign.topic(), assign.owners(), assign.requestId()));
        command.result(Long.toString(version).getBytes(StandardCharsets.UTF_8));
    }
}
