package org.raftengine.core.engine;

import java.util.Objects;
import org.raftengine.core.Role;

/**
 * Who this node is and where it stands: its term and vote (the hard state), its role, and the leader it
 * knows. Every part of the engine reads it; it changes only on the protocol thread. Changes of term,
 * role and leader are told to the listeners.
 */
final class NodeState {
    final String id;
    private final Listeners listeners;
    /** The id of this node's storage, carried by every message it sends. */
    private long storageId;
    private long term;
    private long startTerm;
    private String votedFor;
    private Role role = Role.STOPPED;
    private String leaderId;

    NodeState(String id, Listeners listeners) {
        this.id = id;
        this.listeners = listeners;
    }

    long storageId() {
        return storageId;
    }

    long term() {
        return term;
    }

    String votedFor() {
        return votedFor;
    }

    Role role() {
        return role;
    }

    String leaderId() {
        return leaderId;
    }

    /** At start, from storage: nothing is told. */
    void load(long storageId, long term, String votedFor) {
        this.storageId = storageId;
        this.term = term;
        this.votedFor = votedFor;
        this.startTerm = term;
    }

    /**
     * The term this incarnation started in. In that term or an earlier one this node may have led and
     * taken commands before a restart that it no longer remembers.
     */
    long startTerm() {
        return startTerm;
    }

    /** Only through {@link RaftEngine#enterTerm}, which also resets what held for the old term. */
    void setTerm(long newTerm) {
        term = newTerm;
        long t = newTerm;
        listeners.tell(l -> l.onTermChange(t));
    }

    /** The caller makes the change durable ({@link StoragePipeline#hardStateChanged}). */
    void setVotedFor(String candidate) {
        votedFor = candidate;
    }

    void setRole(Role newRole) {
        if (role != newRole) {
            role = newRole;
            long t = term;
            listeners.tell(l -> l.onRoleChange(newRole, t));
        }
    }

    /** At start and halt, where the engine tells the listeners itself. */
    void setRoleUntold(Role newRole) {
        role = newRole;
    }

    void setLeader(String leader) {
        if (!Objects.equals(leaderId, leader)) {
            leaderId = leader;
            long t = term;
            listeners.tell(l -> l.onLeaderChange(leader, t));
        }
    }
}
