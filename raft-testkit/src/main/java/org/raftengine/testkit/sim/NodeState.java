package org.raftengine.testkit.sim;

/**
 * The compact picture of one node shown in every trace row.
 *
 * @param nodeId    the node
 * @param role      L(eader), C(andidate), P(re-candidate), F(ollower), or '-' when down or stopped
 * @param term      current term (for a node that is down: the term in its durable hard state)
 * @param lastIndex index of its last log entry
 * @param lastTerm  term of its last log entry
 * @param commit    commit index (0 for a node that is down)
 * @param applied   applied index
 */
public record NodeState(String nodeId, char role, long term, long lastIndex, long lastTerm, long commit,
                        long applied) {

    /** For example {@code "L t3 5/3 c4 a4"}. */
    public String compact() {
        return role + " t" + term + " " + lastIndex + "/" + lastTerm + " c" + commit + " a" + applied;
    }
}
