package org.raftengine.core.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;

/**
 * The snapshot data the engine writes: a short header, the client-session table, then the state
 * machine's own bytes, so that sessions and state travel, and are restored, together.
 * <pre>
 *   magic             4 bytes, 'R' 'E' 'S' 'T'
 *   version           1 byte, {@value #VERSION}
 *   table length      int32, then the table ({@link ClientSessions})
 *   state             every remaining byte: what the state machine's view wrote
 * </pre>
 * A snapshot written before sessions existed has no envelope: it reads as an empty table and all its
 * bytes are the state machine's.
 */
final class SnapshotEnvelope {
    private static final byte[] MAGIC = {'R', 'E', 'S', 'T'};
    private static final int VERSION = 1;

    private SnapshotEnvelope() {
    }

    /** Writes the header and the table; the state machine's bytes follow on the same stream. */
    static void writeHeader(OutputStream out, byte[] table) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.write(MAGIC);
        data.writeByte(VERSION);
        data.writeInt(table.length);
        data.write(table);
        data.flush();
    }

    /** What {@link #read} found: the table (null in a snapshot without envelope) and the state's stream. */
    record Opened(ClientSessions sessions, InputStream state) {
    }

    /** Reads the header and the table; the stream it returns is positioned at the state machine's bytes. */
    static Opened read(InputStream in) throws IOException {
        PushbackInputStream pushback = new PushbackInputStream(in, MAGIC.length);
        byte[] head = pushback.readNBytes(MAGIC.length);
        if (!java.util.Arrays.equals(head, MAGIC)) {
            pushback.unread(head);
            return new Opened(null, pushback);
        }
        DataInputStream data = new DataInputStream(pushback);
        int version = data.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("snapshot envelope version " + version + ", this node reads " + VERSION);
        }
        int length = data.readInt();
        if (length < 0) {
            throw new IOException("snapshot envelope: negative table length " + length);
        }
        byte[] table = data.readNBytes(length);
        if (table.length < length) {
            throw new java.io.EOFException("snapshot envelope: the table is cut short");
        }
        return new Opened(ClientSessions.readFrom(new java.io.ByteArrayInputStream(table)), pushback);
    }
}
