package org.raftengine.core.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * A snapshot's data read from its log in chunks, checked as it goes: the bytes must add up to the
 * snapshot's size and CRC32C, or the last read raises {@link CorruptSnapshotException}. Reading a
 * snapshot that a newer one replaced meanwhile raises {@link IOException}.
 */
final class SnapshotInputStream extends InputStream {
    private static final int CHUNK = 1 << 20;

    private final RaftLog log;
    private final SnapshotMeta meta;
    private final CRC32C crc = new CRC32C();
    private byte[] chunk = new byte[0];
    private int pos;
    private long offset;
    private boolean checked;

    SnapshotInputStream(RaftLog log, SnapshotMeta meta) {
        this.log = log;
        this.meta = meta;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == chunk.length && !fill()) {
            return -1;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean fill() throws IOException {
        if (offset >= meta.sizeBytes()) {
            check();
            return false;
        }
        byte[] next = log.readSnapshot(meta, offset, (int) Math.min(CHUNK, meta.sizeBytes() - offset));
        if (next == null) {
            throw new IOException("snapshot " + meta.index() + "/" + meta.term() + " was replaced while being read");
        }
        if (next.length == 0) {
            throw new CorruptSnapshotException("snapshot " + meta.index() + "/" + meta.term() + " ends at " + offset
                    + " bytes, its metadata says " + meta.sizeBytes());
        }
        crc.update(next);
        offset += next.length;
        chunk = next;
        pos = 0;
        return true;
    }

    private void check() {
        if (!checked) {
            checked = true;
            if ((int) crc.getValue() != meta.checksum()) {
                throw new CorruptSnapshotException("snapshot " + meta.index() + "/" + meta.term()
                        + " fails its checksum");
            }
        }
    }
}
