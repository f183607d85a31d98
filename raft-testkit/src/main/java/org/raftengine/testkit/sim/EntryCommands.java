package org.raftengine.testkit.sim;

import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;
import org.raftengine.core.wire.MalformedFrameException;
import org.raftengine.core.wire.SessionCommandCodec;

/** The application's command in a log entry, whether plain or of a client session (whose header it strips). */
public final class EntryCommands {
    private EntryCommands() {
    }

    /** The command {@code e} carries for the state machine, or null if it carries none. */
    public static byte[] commandOf(LogEntry e) {
        if (e.type() == EntryType.COMMAND) {
            return e.data();
        }
        if (e.type() == EntryType.SESSION_COMMAND) {
            try {
                return SessionCommandCodec.decode(e.data()).command();
            } catch (MalformedFrameException malformed) {
                return null;
            }
        }
        return null;
    }
}
