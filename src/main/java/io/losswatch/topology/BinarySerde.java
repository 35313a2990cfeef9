package io.losswatch.topology;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde for a type kept in a compact binary form on a hot path. Values written as JSON (they start
 * with '{') are still read, so state and topics written in JSON restore and drain. Null passes through.
 */
public abstract class BinarySerde<T> implements Serde<T> {
    private final JsonSerde<T> json;
    private final String what;

    protected BinarySerde(Class<T> type, String what) {
        this.json = new JsonSerde<>(type);
        this.what = what;
    }

    protected abstract byte[] toBytes(T value);

    protected abstract T fromBytes(ByteBuffer bytes);

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : toBytes(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length > 0 && bytes[0] == '{') {
                return json.deserializer().deserialize(topic, bytes);
            }
            try {
                return fromBytes(ByteBuffer.wrap(bytes));
            } catch (RuntimeException e) {
                throw new SerializationException("cannot read " + what + " from " + bytes.length + " bytes", e);
            }
        };
    }
}
