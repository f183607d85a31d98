package org.raftengine.cdi.health;

/** The settings of a one-node cluster with the in-memory log, as system properties (MicroProfile Config reads them). */
final class SingleNodeSettings {
    private static final String[][] SETTINGS = {
        {"raft.node-id", "n1"}, {"raft.members", "n1"}, {"raft.bootstrap", "true"}, {"raft.transport", "local"},
        {"raft.log", "memory"}};

    private SingleNodeSettings() {
    }

    static void set() {
        for (String[] s : SETTINGS) {
            System.setProperty(s[0], s[1]);
        }
    }

    static void clear() {
        for (String[] s : SETTINGS) {
            System.clearProperty(s[0]);
        }
    }
}
