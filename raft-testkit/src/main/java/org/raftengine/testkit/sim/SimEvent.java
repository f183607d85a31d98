package org.raftengine.testkit.sim;

/**
 * One entry of the event queue. Ordered by (time, seq): the sequence number is global and increasing,
 * so events due at the same instant run in the order they were enqueued.
 */
final class SimEvent {
    final long time;
    final long seq;
    /** The runtime incarnation that owns this event, or null for events that outlive crashes. */
    final Object owner;
    final String nodeId;
    final EventKind kind;
    final String label;
    final Runnable action;
    boolean cancelled;

    SimEvent(long time, long seq, Object owner, String nodeId, EventKind kind, String label, Runnable action) {
        this.time = time;
        this.seq = seq;
        this.owner = owner;
        this.nodeId = nodeId;
        this.kind = kind;
        this.label = label;
        this.action = action;
    }

    int compareTo(SimEvent o) {
        int c = Long.compare(time, o.time);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }
}
