package org.raftengine.demo;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.raftengine.cdi.RaftSnapshots;

/**
 * The demo's state as a snapshot (raft-cdi's snapshot SPI): both tables, written through the application's own
 * entity manager inside the transaction raft-cdi begins, and read back by emptying them and inserting what the
 * stream holds. With it the log is compacted, and a new node catches up from a snapshot.
 * <pre>
 *   magic 'TOP1'; topics: count, then (topic, owners, version, log index, request id) each;
 *   events: count, then (log index, topic, owners, request id) each
 * </pre>
 */
@ApplicationScoped
public class AssignmentSnapshots implements RaftSnapshots {
    private static final int MAGIC = 0x544f5031; // "TOP1"

    @Inject
    EntityManager em;

    @Override
    public void write(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out); // not closed: the stream is the library's
        data.writeInt(MAGIC);
        List<TopicAssignment> topics = em.createQuery("select t from TopicAssignment t order by t.topic",
                TopicAssignment.class).getResultList();
        data.writeInt(topics.size());
        for (TopicAssignment t : topics) {
            data.writeUTF(t.topic);
            data.writeUTF(t.owners);
            data.writeLong(t.version);
            data.writeLong(t.logIndex);
            data.writeUTF(t.requestId);
        }
        em.clear();
        long events = em.createQuery("select count(e) from AssignmentEvent e", Long.class).getSingleResult();
        data.writeLong(events);
        long written = 0;
        // In pages, so a long history is never all in memory at once.
        long after = Long.MIN_VALUE;
        while (true) {
            List<AssignmentEvent> page = em.createQuery("select e from AssignmentEvent e where e.logIndex > :after"
                    + " order by e.logIndex", AssignmentEvent.class).setParameter("after", after)
                    .setMaxResults(1000).getResultList();
            if (page.isEmpty()) {
                break;
            }
            for (AssignmentEvent e : page) {
                data.writeLong(e.logIndex);
                data.writeUTF(e.topic);
                data.writeUTF(e.owners);
                data.writeUTF(e.requestId);
                after = e.logIndex;
                written++;
            }
            em.clear();
        }
        if (written != events) {
            throw new IOException("the event table changed while it was written: " + written + " events, "
                    + events + " counted");
        }
        data.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        // The topics are read whole before anything is deleted; a short or overlong stream fails the restore, which
        // the library rolls back, rather than leave half a state.
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a topic assignments snapshot");
        }
        List<TopicAssignment> topics = new ArrayList<>();
        for (int n = data.readInt(); n > 0; n--) {
            TopicAssignment t = new TopicAssignment();
            t.topic = data.readUTF();
            t.owners = data.readUTF();
            t.version = data.readLong();
            t.logIndex = data.readLong();
            t.requestId = data.readUTF();
            topics.add(t);
        }
        em.createQuery("delete from AssignmentEvent").executeUpdate();
        em.createQuery("delete from TopicAssignment").executeUpdate();
        topics.forEach(em::persist);
        long events = data.readLong();
        for (long i = 0; i < events; i++) {
            em.persist(new AssignmentEvent(data.readLong(), data.readUTF(), data.readUTF(), data.readUTF()));
            if (i % 1000 == 999) {
                em.flush();
                em.clear();
            }
        }
        if (data.read() != -1) {
            throw new IOException("a topic assignments snapshot with bytes after its end");
        }
    }
}
