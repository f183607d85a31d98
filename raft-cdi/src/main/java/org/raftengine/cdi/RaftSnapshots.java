package org.raftengine.cdi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The application's state, written out and read back, so the log can be compacted and a new or lagging node
 * can catch up from a snapshot. Provide it as a bean: the application's tables are the state, so only the
 * application can write them. Both methods run inside a JTA transaction the library begins (with the request
 * context active), on the node's apply thread; use the application's own entity manager. Without such a bean,
 * automatic compaction is off (the log keeps every entry), and the node says so at start.
 */
public interface RaftSnapshots {

    /** Writes the whole state to {@code out} (reads only). */
    void write(OutputStream out) throws IOException;

    /**
     * Replaces the whole state with what {@link #write} wrote: delete what is there, then insert. The library
     * records the snapshot's index as applied in the same transaction.
     */
    void restore(InputStream in) throws IOException;
}
