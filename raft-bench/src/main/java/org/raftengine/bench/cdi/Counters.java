package org.raftengine.bench.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.raftengine.cdi.Committed;

/**
 * The CDI run's application: one JPA update per committed {@link Increment} (find the counter, add 1), in the
 * JTA transaction raft-cdi applies the batch of committed entries in.
 */
@ApplicationScoped
public class Counters {
    @Inject
    EntityManager em;

    void increment(@Observes @Committed Increment command) {
        BenchCounter c = em.find(BenchCounter.class, command.counter());
        if (c == null) {
            em.persist(new BenchCounter(command.counter(), 1));
        } else {
            c.value++;
        }
    }
}
