package org.raftengine.cdi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/**
 * The {@link CommandCodec} through Jackson: the same envelope as the JSON-B one ({@link JsonCommandEnvelope}),
 * the command written by an {@link ObjectMapper} of its own (the modules found on the class path registered,
 * unknown properties refused), so every node maps a command alike whatever the application configured for
 * its REST layer. Decodes only classes marked {@link RaftCommand}.
 */
final class JacksonCommandCodec implements CommandCodec {
    private final ObjectMapper mapper;

    JacksonCommandCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A codec over the Jackson on the class path. */
    static JacksonCommandCodec create() {
        return new JacksonCommandCodec(new ObjectMapper().findAndRegisterModules()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
    }

    @Override
    public byte[] encode(Object command) {
        JsonCommandEnvelope.requireCommand(command);
        try {
            return JsonCommandEnvelope.wrap(command, mapper.writeValueAsString(command));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Jackson cannot write " + command.getClass().getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public Object decode(byte[] data) {
        JsonCommandEnvelope.Opened opened = JsonCommandEnvelope.open(data);
        if (opened == null) {
            return null;
        }
        try {
            return mapper.readValue(opened.json(), opened.type());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("Jackson cannot read a committed " + opened.type().getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }
}
