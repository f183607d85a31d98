package org.raftengine.demo;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.List;

/**
 * One applied assignment, by log index: the history the dashboard shows the latest of, and that the chaos test
 * compares across nodes (the same events in the same order everywhere, no request id twice). Part of the state, so
 * part of the snapshot.
 */
@Entity
@Table(name = "assignment_event")
public class AssignmentEvent {
    static final String DDL = "CREATE TABLE IF NOT EXISTS assignment_event (log_index BIGINT PRIMARY KEY,"
            + " topic VARCHAR(200) NOT NULL, owners VARCHAR(2000) NOT NULL, request_id VARCHAR(100) NOT NULL)";

    @Id
    @Column(name = "log_index")
    public long logIndex;
    @Column(name = "topic", length = 200, nullable = false)
    public String topic;
    @Column(name = "owners", length = 2000, nullable = false)
    public String owners;
    @Column(name = "request_id", length = 100, nullable = false)
    public String requestId;

    protected AssignmentEvent() {
    }

    public AssignmentEvent(long logIndex, String topic, List<String> owners, String requestId) {
        this(logIndex, topic, String.join(",", owners), requestId);
    }

    AssignmentEvent(long logIndex, String topic, String owners, String requestId) {
        this.logIndex = logIndex;
        this.topic = topic;
        this.owners = owners;
        this.requestId = requestId;
    }
}
