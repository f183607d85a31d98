package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two JSON codecs of typed commands: each reads back what it wrote, each reads what the other wrote (one
 * envelope, so nodes whose applications use different libraries agree), and both leave alone what is not
 * theirs to read.
 */
class JsonCommandCodecsTest {

    static List<CommandCodec> codecs() {
        return List.of(JsonbCommandCodec.create(), JacksonCommandCodec.create());
    }

    /** Not marked {@link RaftCommand}: never written, never read. */
    record Unmarked(String value) {
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void aCommandComesBackEqualFromItsOwnCodecAndTheOther(CommandCodec codec) {
        Transfer command = new Transfer("alice", "bob", 42);
        byte[] bytes = codec.encode(command);
        for (CommandCodec reader : codecs()) {
            assertThat(reader.decode(bytes)).as("%s reading %s", reader.getClass().getSimpleName(),
                    codec.getClass().getSimpleName()).isEqualTo(command);
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void whatIsNotATypedCommandIsNotDecoded(CommandCodec codec) {
        assertThat(codec.decode("plain bytes".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(codec.decode(new byte[0])).isNull();
        byte[] unknownClass = JsonCommandEnvelope.wrap(new Transfer("a", "b", 1), "{}").clone();
        // The same envelope naming a class this application does not have.
        int nameAt = 6;
        unknownClass[nameAt] = 'X';
        assertThat(codec.decode(unknownClass)).isNull();
        byte[] unmarked = JsonCommandEnvelope.wrap(new Unmarked("v"), "{\"value\":\"v\"}");
        assertThat(codec.decode(unmarked)).as("a class not marked @RaftCommand").isNull();
        assertThatThrownBy(() -> codec.encode(new Unmarked("v"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not marked @RaftCommand");
    }
}
