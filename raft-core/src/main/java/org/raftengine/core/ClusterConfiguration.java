package org.raftengine.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The members of a cluster (voters and learners), its settings and its incarnation, as carried by a
 * configuration entry of the log. The configuration in force on a node is the last configuration entry in its
 * log, committed or not.
 *
 * @param members     voters and learners, each id once; at least one voter
 * @param settings    the cluster-wide settings
 * @param incarnation a random id the cluster got when it was bootstrapped, kept by every later configuration:
 *                    nodes of two clusters bootstrapped separately under the same cluster id refuse each
 *                    other's messages; 0 in configurations written before incarnations existed (never checked)
 */
public record ClusterConfiguration(List<Member> members, ClusterSettings settings, long incarnation) {

    /**
     * @throws IllegalArgumentException if there is no voter, or two members share an id
     */
    public ClusterConfiguration {
        members = List.copyOf(members);
        Set<String> ids = new HashSet<>();
        boolean voter = false;
        for (Member m : members) {
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("member " + m.id() + " appears twice");
            }
            voter |= m.voter();
        }
        if (!voter) {
            throw new IllegalArgumentException("a configuration needs at least one voter");
        }
        if (settings == null) {
            throw new IllegalArgumentException("a configuration needs settings");
        }
    }

    /** A configuration of no known incarnation (see {@link #incarnation()}). */
    public ClusterConfiguration(List<Member> members, ClusterSettings settings) {
        this(members, settings, 0);
    }

    /** A configuration of the given voters, storage ids not known yet. */
    public static ClusterConfiguration of(ClusterSettings settings, String... ids) {
        List<Member> list = new ArrayList<>();
        for (String id : ids) {
            list.add(Member.of(id));
        }
        return new ClusterConfiguration(list, settings);
    }

    /** The member (voter or learner) with this id, or {@code null}. */
    public Member member(String id) {
        for (Member m : members) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        return null;
    }

    /** True for a voter or a learner. */
    public boolean isMember(String id) {
        return member(id) != null;
    }

    /** True for a voting member. */
    public boolean isVoter(String id) {
        Member m = member(id);
        return m != null && m.voter();
    }

    /** The voting members, in configuration order. */
    public List<Member> voters() {
        return members.stream().filter(Member::voter).toList();
    }

    /** The learners (non-voting members), in configuration order. */
    public List<Member> learners() {
        return members.stream().filter(m -> !m.voter()).toList();
    }

    /** Votes needed for a majority of the voters. */
    public int quorum() {
        int voters = 0;
        for (Member m : members) {
            if (m.voter()) {
                voters++;
            }
        }
        return voters / 2 + 1;
    }

    /** This configuration with {@code id}'s storage id recorded. */
    public ClusterConfiguration withStorageId(String id, long storageId) {
        List<Member> list = new ArrayList<>(members.size());
        for (Member m : members) {
            list.add(m.id().equals(id) ? new Member(id, storageId, m.voter()) : m);
        }
        return new ClusterConfiguration(list, settings, incarnation);
    }

    /** This configuration with {@code member} added, or replacing the member of the same id. */
    public ClusterConfiguration with(Member member) {
        List<Member> list = new ArrayList<>(members.size() + 1);
        boolean replaced = false;
        for (Member m : members) {
            if (m.id().equals(member.id())) {
                list.add(member);
                replaced = true;
            } else {
                list.add(m);
            }
        }
        if (!replaced) {
            list.add(member);
        }
        return new ClusterConfiguration(list, settings, incarnation);
    }

    /**
     * This configuration without the member {@code id}.
     *
     * @throws IllegalArgumentException if that leaves no voter
     */
    public ClusterConfiguration without(String id) {
        return new ClusterConfiguration(members.stream().filter(m -> !m.id().equals(id)).toList(), settings,
                incarnation);
    }

    /** This configuration with other settings. */
    public ClusterConfiguration withSettings(ClusterSettings newSettings) {
        return new ClusterConfiguration(members, newSettings, incarnation);
    }

    /** This configuration with the given incarnation. */
    public ClusterConfiguration withIncarnation(long newIncarnation) {
        return new ClusterConfiguration(members, settings, newIncarnation);
    }
}
