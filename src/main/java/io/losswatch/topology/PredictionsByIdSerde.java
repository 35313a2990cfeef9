package io.losswatch.topology;

import io.losswatch.topology.Routed.JoinInput;
import io.losswatch.topology.Routed.PendingLabel;
import io.losswatch.topology.Routed.PendingPrediction;
import io.losswatch.topology.Routed.Watermark;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The records of the join's one input topic, {@code predictions-by-id}: predictions waiting for a label in
 * the binary form of {@link PendingPredictionSerde} (earlier versions wrote JSON, which starts with '{' and
 * is still read), the intake's watermarks in the binary form of {@link IntakeOutputSerde}, and labels: a
 * {@link #LABEL} byte, then the JSON earlier versions wrote on {@code labels-by-id}.
 */
final class PredictionsByIdSerde implements Serde<JoinInput> {
    /** First byte of a label: none of a partial's, a watermark's or a pending prediction's, and not JSON. */
    static final byte LABEL = 7;
    private final JsonSerde<PendingPrediction> json = new JsonSerde<>(PendingPrediction.class);
    private final JsonSerde<PendingLabel> labels = new JsonSerde<>(PendingLabel.class);

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
            if (value instanceof PendingLabel l) {
                byte[] label = labels.serializer().serialize(topic, l);
                return ByteBuffer.allocate(1 + label.length).put(LABEL).put(label).array();
            }
            throw new SerializationException("not a record of the join's input: " + value.getClass());
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
            if (bytes.length > 0 && bytes[0] == LABEL) {
                return labels.deserializer().deserialize(topic, java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
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
