package org.raftengine.cdi;

/**
 * Turns typed commands ({@link RaftCommand}) into bytes for the log and back. The application may provide one
 * as a bean; otherwise, if a JSON-B implementation is present, commands are JSON with their class name before
 * them; with neither, only raw {@link CommittedCommand} events are fired.
 */
public interface CommandCodec {

    /** The bytes of {@code command}, whose class is marked {@link RaftCommand}. */
    byte[] encode(Object command);

    /**
     * The typed command {@code data} holds, or {@code null} if it holds none this codec knows (raw bytes
     * submitted as such, or a class not marked {@link RaftCommand}).
     */
    Object decode(byte[] data);
}
