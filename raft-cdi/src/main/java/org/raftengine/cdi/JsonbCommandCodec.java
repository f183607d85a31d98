package org.raftengine.cdi;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/**
 * The {@link CommandCodec} through JSON-B: the command's class name, then the command as JSON (see
 * {@link JsonCommandEnvelope}). Decodes only classes marked {@link RaftCommand}, loaded by the application's
 * class loader.
 */
final class JsonbCommandCodec implements CommandCodec {
    private final Jsonb jsonb;

    JsonbCommandCodec(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /** A codec over the JSON-B implementation on the class path. */
    static JsonbCommandCodec create() {
        return new JsonbCommandCodec(JsonbBuilder.create());
    }

    @Override
    public byte[] encode(Object command) {
        JsonCommandEnvelope.requireCommand(command);
        return JsonCommandEnvelope.wrap(command, jsonb.toJson(command));
    }

    @Override
    public Object decode(byte[] data) {
        JsonCommandEnvelope.Opened opened = JsonCommandEnvelope.open(data);
        return opened == null ? null : jsonb.fromJson(opened.json(), opened.type());
    }
}
