package org.raftengine.demo;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Arrays;
import java.util.List;

/** A topic's current owners: the state the cluster agrees on, one row per topic, on every node. */
@Entity
@Table(name = "topic_assignment")
public class TopicAssignment {
    static final String DDL = "CREATE TABLE IF NOT EXISTS topic_assignment (topic VARCHAR(200) PRIMARY KEY,"
            + " owners VARCHAR(2000) NOT NULL, version BIGINT NOT NULL, log_index BIGINT NOT NULL,"
            + " request_id VARCHAR(100) NOT NULL)";

    @Id
    @Column(name = "topic", length = 200)
    public String topic;
    /** The owners, comma-separated (server ids hold no comma: {@link Validation}). */
    @Column(name = "owners", length = 2000, nullable = false)
    public String owners;
    /** How many assignments of this topic were applied: 1 for the first. */
    @Column(name = "version", nullable = false)
    public long version;
    /** The log index of the latest assignment. */
    @Column(name = "log_index", nullable = false)
    public long logIndex;
    @Column(name = "request_id", length = 100, nullable = false)
    public String requestId;

    protected TopicAssignment() {
    }

    public TopicAssignment(String topic, List<String> owners, long version, long logIndex, String requestId) {
        this.topic = topic;
        this.owners = String.join(",", owners);
        this.version = version;
        this.logIndex = logIndex;
        this.requestId = requestId;
    }

    public List<String> ownerList() {
        return owners.isEmpty() ? List.of() : Arrays.asList(owners.split(","));
    }
}
