-- raftengine JPA log, schema version 1 (mariadb).
-- Shipped in raft-jpa-log.jar as META-INF/raftengine/db/mariadb/V1__raftengine_log.sql; the name follows
-- Flyway's convention, so a Flyway or Liquibase user can include it in their own migrations
-- (Flyway: locations=classpath:META-INF/raftengine/db/mariadb). JpaRaftLog checks these tables at start.
-- Every table is keyed by cluster id and node id: several nodes and clusters may share one database.

CREATE TABLE raft_schema_version (
    version      INTEGER      NOT NULL,
    description  VARCHAR(200) NOT NULL,
    installed_at TIMESTAMP    NOT NULL,
    PRIMARY KEY (version)
) ENGINE=InnoDB;

-- One row per node's storage: its identity, where its log begins, and whether it was marked broken.
CREATE TABLE raft_node (
    cluster_id     VARCHAR(64)   NOT NULL,
    node_id        VARCHAR(64)   NOT NULL,
    storage_id     BIGINT        NOT NULL,
    first_index    BIGINT        NOT NULL,
    compacted_term BIGINT        NOT NULL,
    broken         BOOLEAN       NOT NULL,
    broken_reason  VARCHAR(4000),
    PRIMARY KEY (cluster_id, node_id)
) ENGINE=InnoDB;

-- The node's current term and vote.
CREATE TABLE raft_hard_state (
    cluster_id VARCHAR(64)  NOT NULL,
    node_id    VARCHAR(64)  NOT NULL,
    term       BIGINT       NOT NULL,
    voted_for  VARCHAR(255),
    PRIMARY KEY (cluster_id, node_id)
) ENGINE=InnoDB;

-- The log entries, from first_index of raft_node on. checksum is CRC32C over the entry's other fields.
CREATE TABLE raft_entry (
    cluster_id VARCHAR(64) NOT NULL,
    node_id    VARCHAR(64) NOT NULL,
    idx        BIGINT      NOT NULL,
    term       BIGINT      NOT NULL,
    entry_type SMALLINT    NOT NULL,
    request_id BIGINT      NOT NULL,
    data       LONGBLOB  NOT NULL,
    checksum   INTEGER     NOT NULL,
    PRIMARY KEY (cluster_id, node_id, idx)
) ENGINE=InnoDB;

-- Snapshots: the committed one is the latest; rows not committed are writes in progress or abandoned.
CREATE TABLE raft_snapshot (
    cluster_id    VARCHAR(64) NOT NULL,
    node_id       VARCHAR(64) NOT NULL,
    snapshot_id   BIGINT      NOT NULL,
    idx           BIGINT      NOT NULL,
    term          BIGINT      NOT NULL,
    configuration LONGBLOB  NOT NULL,
    size_bytes    BIGINT      NOT NULL,
    checksum      INTEGER     NOT NULL,
    committed     BOOLEAN     NOT NULL,
    PRIMARY KEY (cluster_id, node_id, snapshot_id)
) ENGINE=InnoDB;

-- A snapshot's data, in chunks written and read one at a time (never the whole snapshot in memory).
CREATE TABLE raft_snapshot_chunk (
    cluster_id   VARCHAR(64) NOT NULL,
    node_id      VARCHAR(64) NOT NULL,
    snapshot_id  BIGINT      NOT NULL,
    chunk_no     INTEGER     NOT NULL,
    start_offset BIGINT      NOT NULL,
    data         LONGBLOB  NOT NULL,
    PRIMARY KEY (cluster_id, node_id, snapshot_id, chunk_no)
) ENGINE=InnoDB;

-- The apply side: the last index the application's state includes, written in the application's transaction.
CREATE TABLE raft_applied (
    cluster_id    VARCHAR(64) NOT NULL,
    node_id       VARCHAR(64) NOT NULL,
    applied_index BIGINT      NOT NULL,
    PRIMARY KEY (cluster_id, node_id)
) ENGINE=InnoDB;

-- The apply side: each applied command's outcome (output, or the reason it was rejected), written in the
-- same transaction, so a client's re-sent command gets its original answer after a restart.
CREATE TABLE raft_outcome (
    cluster_id VARCHAR(64)   NOT NULL,
    node_id    VARCHAR(64)   NOT NULL,
    idx        BIGINT        NOT NULL,
    output     LONGBLOB ,
    rejection  VARCHAR(4000),
    PRIMARY KEY (cluster_id, node_id, idx)
) ENGINE=InnoDB;

INSERT INTO raft_schema_version (version, description, installed_at)
    VALUES (1, 'raftengine log, snapshots and apply side', CURRENT_TIMESTAMP);
