package io.losswatch.topology;

import io.losswatch.topology.Routed.Contribution;
import io.losswatch.topology.Routed.IntakeOutput;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The records of the window aggregator's one input topic, {@code partials-by-model}: the intake's partials
 * and watermarks in {@link IntakeOutputSerde}'s binary form (as earlier versions wrote them there), and the
 * join's contributions in the JSON form earlier versions wrote on {@code joined-by-model}. JSON starts with
 * '{', which is none of the binary forms' first bytes.
 */
final class AggregatorInputSerde implements Serde<Routed> {
    private final JsonSerde<Contribution> contributions = new JsonSerde<>(Contribution.class);

    @Override
    public Serializer<Routed> serializer() {
        Serializer<Contribution> json = contributions.serializer();
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            if (value instanceof IntakeOutput o) {
                return IntakeOutputSerde.write(o);
            }
            if (value instanceof Contribution c) {
                return json.serialize(topic, c);
            }
            throw new SerializationException("not a record of the aggregator's input: " + value.getClass());
        };
    }

    @Override
    public Deserializer<Routed> deserializer() {
        Deserializer<Contribution> json = contributions.deserializer();
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length > 0 && bytes[0] == '{') {
                return json.deserialize(topic, bytes);
            }
            try {
                return (Routed) IntakeOutputSerde.read(ByteBuffer.wrap(bytes)); // a partial or a watermark, both Routed
            } catch (RuntimeException e) {
                throw new SerializationException("cannot read a partial or watermark from " + bytes.length + " bytes", e);
            }
        };
    }
}
