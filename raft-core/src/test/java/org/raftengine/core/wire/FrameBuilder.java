package org.raftengine.core.wire;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes frames by hand, independently of the codec, so the tests pin the documented byte layout and
 * can build frames the codec would never write.
 */
final class FrameBuilder {

    static final int VOTE_REQUEST = 1;
    static final int VOTE_RESPONSE = 2;
    static final int APPEND_ENTRIES = 3;
    static final int APPEND_ENTRIES_RESPONSE = 4;
    static final int FORWARD_COMMAND = 5;
    static final int FORWARD_RESPONSE = 6;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    /** Magic, the current version, type, cluster, from, to, storage id and term. */
    static FrameBuilder header(int type, String cluster, String from, String to, long storageId, long term) {
        return new FrameBuilder().u8('R').u8('F').u8(WireCodec.FORMAT_VERSION).u8(type).str(cluster).str(from).str(to)
                .i64(storageId).i64(term);
    }

    FrameBuilder u8(int v) {
        return io(() -> out.writeByte(v));
    }

    FrameBuilder i32(int v) {
        return io(() -> out.writeInt(v));
    }

    FrameBuilder i64(long v) {
        return io(() -> out.writeLong(v));
    }

    FrameBuilder raw(byte[] b) {
        return io(() -> out.write(b));
    }

    /** Length-prefixed bytes. */
    FrameBuilder bytes(byte[] b) {
        return i32(b.length).raw(b);
    }

    /** A length-prefixed UTF-8 string. */
    FrameBuilder str(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The null string. */
    FrameBuilder nullStr() {
        return i32(-1);
    }

    byte[] build() {
        return bytes.toByteArray();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private FrameBuilder io(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
