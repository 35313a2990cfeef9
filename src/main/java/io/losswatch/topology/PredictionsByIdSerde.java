package io.losswatch.topology;

import io.losswatch.topology.Routed.JoinInput;
import io.losswatch.topology.Routed.PendingPrediction;
import io.losswatch.topology.Routed.Watermark;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The records of the predictions-by-id topic: predictions waiting for a label in the binary form of
 * {@link PendingPredictionSerde} (earlier versions wrote JSON, which starts with '{' and is still read), and
 * the intake's watermarks in the binary form of {@link IntakeOutputSerde}.
 */
final class PredictionsByIdSerde implements Serde<JoinInput> {
    private final JsonSerde<PendingPrediction> json = new JsonSerde<>(PendingPrediction.class);

    @Override
    public Serializer<JoinInput> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            if (value instanceof Watermark w) {
                return IntakeOutputSerde.write(w);
            }
            if (value instanceof PendingPrediction p) {
                return PendingPredictionSerde.write(p);
            }
            throw new SerializationException("not a record of the predictions-by-id topic: " + value.getClass());
        };
    }

    @Override
    public Deserializer<JoinInput> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length > 0 && bytes[0] == '{') {
                return json.deserializer().deserialize(topic, bytes);
            }
            if (bytes.length > 0 && (bytes[0] == PendingPredictionSerde.MARKER
                    || bytes[0] == PendingPredictionSerde.MARKER_SEGMENTS)) {
                try {
                    return PendingPredictionSerde.read(ByteBuffer.wrap(bytes));
                } catch (RuntimeException e) {
                    throw new SerializationException("cannot read a pending prediction from " + bytes.length + " bytes", e);
                }
            }
            Routed.IntakeOutput read;
            try {
                read = IntakeOutputSerde.read(ByteBuffer.wrap(bytes));
            } catch (RuntimeException e) {
                throw new SerializationException("cannot read a watermark from " + bytes.length + " bytes", e);
            }
            if (read instanceof Watermark w) {
                return w;
            }
            throw new SerializationException("a partial has no place on the predictions-by-id topic");
        };
    }
}
