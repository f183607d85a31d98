package org.raftengine.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class LogEntryTest {

    /** The documented layout, spelled out independently: CRC32C over index, term, type, request id (big-endian), data. */
    private static int reference(long index, long term, EntryType type, long requestId, byte[] data) {
        ByteBuffer header = ByteBuffer.allocate(25).putLong(index).putLong(term).put((byte) type.code())
                .putLong(requestId);
        CRC32C crc = new CRC32C();
        crc.update(header.array());
        crc.update(data);
        return (int) crc.getValue();
    }

    @Test
    void theChecksumCoversIndexTermTypeRequestIdAndDataInThatLayout() {
        Random random = new Random(17);
        for (int i = 0; i < 2_000; i++) {
            long index = random.nextLong();
            long term = random.nextLong();
            EntryType type = EntryType.values()[random.nextInt(EntryType.values().length)];
            long requestId = random.nextBoolean() ? 0 : random.nextLong();
            byte[] data = new byte[random.nextInt(100)];
            random.nextBytes(data);
            assertThat(LogEntry.checksumOf(index, term, type, requestId, data))
                    .isEqualTo(reference(index, term, type, requestId, data));
        }
    }

    @Test
    void anyChangedFieldFailsVerification() {
        LogEntry e = LogEntry.of(7, 3, EntryType.COMMAND, 42, "x".getBytes(StandardCharsets.UTF_8));
        assertThat(e.verify()).isSameAs(e);
        assertThat(new LogEntry(8, 3, EntryType.COMMAND, 42, e.data(), e.checksum()).isIntact()).isFalse();
        assertThat(new LogEntry(7, 4, EntryType.COMMAND, 42, e.data(), e.checksum()).isIntact()).isFalse();
        assertThat(new LogEntry(7, 3, EntryType.NOOP, 42, e.data(), e.checksum()).isIntact()).isFalse();
        assertThat(new LogEntry(7, 3, EntryType.COMMAND, 43, e.data(), e.checksum()).isIntact()).isFalse();
        assertThatThrownBy(() -> new LogEntry(7, 3, EntryType.COMMAND, 42, new byte[] {'y'}, e.checksum()).verify())
                .isInstanceOf(CorruptEntryException.class).hasMessageContaining("entry 7 (term 3)");
    }
}
