package org.raftengine.testkit.sim;

import java.util.Arrays;

/**
 * What a state machine did at one index.
 *
 * @param index    the log index
 * @param command  the command passed to {@code apply}, or {@code null} for an index recorded without a
 *                 command (a leader's term-start entry, a configuration entry)
 * @param rejected true if the state machine refused the command (it is then recorded, not applied)
 */
public record AppliedEntry(long index, byte[] command, boolean rejected) {

    /** True if both name the same index, command and outcome. */
    public boolean sameAs(AppliedEntry o) {
        return o != null && index == o.index && rejected == o.rejected && Arrays.equals(command, o.command);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppliedEntry e && sameAs(e);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Arrays.hashCode(command) + (rejected ? 1 : 0);
    }

    @Override
    public String toString() {
        return index + ":" + (command == null ? "(no command)" : MessageLabels.printable(command, 40))
                + (rejected ? " rejected" : "");
    }
}
