package org.raftengine.cdi;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The default {@link CommandCodec} when a JSON-B implementation is present: four marker bytes, the command's
 * class name, then the command as JSON. Decodes only classes marked {@link RaftCommand}, loaded by the
 * application's class loader.
 */
final class JsonbCommandCodec implements CommandCodec {
    private static final byte[] MAGIC = {0, 'R', 'C', 'J'};

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
        Class<?> type = command.getClass();
        if (!type.isAnnotationPresent(RaftCommand.class)) {
            throw new IllegalArgumentException(type.getName() + " is not marked @RaftCommand");
        }
        byte[] name = type.getName().getBytes(StandardCharsets.UTF_8);
        byte[] json = jsonb.toJson(command).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(MAGIC.length + 2 + name.length + json.length).put(MAGIC)
                .putShort((short) name.length).put(name).put(json).array();
    }

    @Override
    public Object decode(byte[] data) {
        if (data.length < MAGIC.length + 2 || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(data, MAGIC.length, data.length - MAGIC.length);
        int nameLength = Short.toUnsignedInt(b.getShort());
        if (nameLength > b.remaining()) {
            return null;
        }
        String name = new String(data, b.position(), nameLength, StandardCharsets.UTF_8);
        Class<?> type = load(name);
        if (type == null || !type.isAnnotationPresent(RaftCommand.class)) {
            return null;
        }
        int json = b.position() + nameLength;
        return jsonb.fromJson(new String(data, json, data.length - json, StandardCharsets.UTF_8), type);
    }

    private static Class<?> load(String name) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            return Class.forName(name, false, loader != null ? loader : JsonbCommandCodec.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
