package org.raftengine.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The members of a cluster and its settings, as carried by a configuration entry of the log. The
 * configuration in force on a node is the last configuration entry in its log, committed or not.
 */
public record ClusterConfiguration(List<Member> members, ClusterSettings settings) {

    /**
     * @throws IllegalArgumentException if there is no member, or two share an id
     */
    public ClusterConfiguration {
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a configuration needs at least one member");
        }
        Set<String> ids = new HashSet<>();
        for (Member m : members) {
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("member " + m.id() + " appears twice");
            }
        }
        if (settings == null) {
            throw new IllegalArgumentException("a configuration needs settings");
        }
    }

    /** A configuration of the given node ids, storage ids not known yet. */
    public static ClusterConfiguration of(ClusterSettings settings, String... ids) {
        List<Member> list = new ArrayList<>();
        for (String id : ids) {
            list.add(Member.of(id));
        }
        return new ClusterConfiguration(list, settings);
    }

    /** The member with this id, or {@code null}. */
    public Member member(String id) {
        for (Member m : members) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        return null;
    }

    public boolean isMember(String id) {
        return member(id) != null;
    }

    /** Votes needed for a majority. */
    public int quorum() {
        return members.size() / 2 + 1;
    }

    /** This configuration with {@code id}'s storage id recorded. */
    public ClusterConfiguration withStorageId(String id, long storageId) {
        List<Member> list = new ArrayList<>(members.size());
        for (Member m : members) {
            list.add(m.id().equals(id) ? new Member(id, storageId) : m);
        }
        return new ClusterConfiguration(list, settings);
    }
}
