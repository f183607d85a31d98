package org.raftengine.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the cluster events the test application observes. */
@ApplicationScoped
public class ClusterEventsRecorder {
    private final List<Object> seen = new CopyOnWriteArrayList<>();

    /** What was seen, in order (a method: the test holds a client proxy, whose fields are not the bean's). */
    List<Object> seen() {
        return List.copyOf(seen);
    }

    void role(@Observes RoleChanged e) {
        seen.add(e);
    }

    void leader(@Observes LeaderChanged e) {
        seen.add(e);
    }

    void membership(@Observes MembershipChanged e) {
        seen.add(e);
    }
}
