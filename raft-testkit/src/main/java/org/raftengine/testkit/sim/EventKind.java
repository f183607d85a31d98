package org.raftengine.testkit.sim;

/** What a simulated event (or a recorded action) is, for the trace. */
public enum EventKind {
    /** A task on a node's protocol executor. */
    PROTOCOL("proto"),
    /** A timer scheduled by a node, run on its protocol executor. */
    TIMER("timer"),
    /** A task on a node's storage executor (log calls). */
    STORAGE("store"),
    /** A task on a node's apply executor (state machine calls). */
    APPLY("apply"),
    /** A task on a node's snapshot executor (writing a snapshot out, chunks received). */
    SNAPSHOT("snap"),
    /** A task on a node's callback executor (user futures, listeners). */
    CALLBACK("callbk"),
    /** The network handing a message to its target. */
    DELIVER("deliver"),
    /** A client operation. */
    CLIENT("client"),
    /** An injected fault: crash, wipe, partition, heal. */
    FAULT("fault"),
    /** Any other action of the test (start, restart, a scheduled step of a scenario). */
    ACTION("action"),
    /** A free-form remark recorded outside any event. */
    NOTE("note");

    private final String shortName;

    EventKind(String shortName) {
        this.shortName = shortName;
    }

    /** The short name used in trace tables. */
    public String shortName() {
        return shortName;
    }
}
