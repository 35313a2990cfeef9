package io.losswatch.topology;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.losswatch.topology.Routed.LossRecord;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a {@link LossRecord} (one per labelled prediction, CONTRACT §6) field by field on Jackson's
 * streaming generator: the same bytes {@link Json#MAPPER} writes (same generator, same number
 * formatting; a test compares them), without the data-binding layer, which cost about a tenth of the
 * stream thread's time (docs/benchmarks.md).
 */
final class LossRecordSerializer implements Serializer<LossRecord> {
    @Override
    public byte[] serialize(String topic, LossRecord r) {
        if (r == null) {
            return null;
        }
        // stateless: Kafka Streams shares one serializer between the tasks of every stream thread
        ByteArrayBuilder buffer = new ByteArrayBuilder(256);
        try (JsonGenerator g = Json.MAPPER.createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField("prediction_id", r.predictionId());
            g.writeStringField("model", r.model());
            g.writeStringField("model_version", r.modelVersion());
            g.writeStringField("loss_function", r.lossFunction());
            g.writeNumberField("loss", r.loss());
            g.writeFieldName("prediction");
            writeNode(g, r.prediction());
            g.writeFieldName("label");
            writeNode(g, r.label());
            g.writeNumberField("event_time", r.eventTime());
            g.writeEndObject();
        } catch (IOException e) {
            throw new SerializationException("cannot write a loss record as JSON", e);
        }
        return buffer.toByteArray();
    }

    private static void writeNode(JsonGenerator g, com.fasterxml.jackson.databind.JsonNode node) throws IOException {
        if (node == null) {
            g.writeNull();
        } else {
            g.writeTree(node);
        }
    }
}
