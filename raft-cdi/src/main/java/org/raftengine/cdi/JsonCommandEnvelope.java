package org.raftengine.cdi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of a typed command, whichever JSON library wrote them: four marker bytes, the length and the name
 * of the command's class, then the command as JSON. The same for {@link JsonbCommandCodec} and
 * {@link JacksonCommandCodec}, so nodes whose applications use different libraries read each other's commands
 * (as far as the two map the class to the same JSON, which records and plain beans do).
 */
final class JsonCommandEnvelope {
    private static final byte[] MAGIC = {0, 'R', 'C', 'J'};

    /** A command read back: its class (marked {@link RaftCommand}) and its JSON. */
    record Opened(Class<?> type, String json) {
    }

    private JsonCommandEnvelope() {
    }

    /** The envelope of {@code command}, written as {@code json}. */
    static byte[] wrap(Object command, String json) {
        byte[] name = command.getClass().getName().getBytes(StandardCharsets.UTF_8);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(MAGIC.length + 2 + name.length + body.length).put(MAGIC)
                .putShort((short) name.length).put(name).put(body).array();
    }

    /** Fails unless {@code command}'s class is marked {@link RaftCommand}. */
    static void requireCommand(Object command) {
        if (!command.getClass().isAnnotationPresent(RaftCommand.class)) {
            throw new IllegalArgumentException(command.getClass().getName() + " is not marked @RaftCommand");
        }
    }

    /**
     * What {@code data} holds, or {@code null} if it is not an envelope, or names a class this application does
     * not have or has not marked {@link RaftCommand}.
     */
    static Opened open(byte[] data) {
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
        return new Opened(type, new String(data, json, data.length - json, StandardCharsets.UTF_8));
    }

    private static Class<?> load(String name) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            return Class.forName(name, false, loader != null ? loader : JsonCommandEnvelope.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
