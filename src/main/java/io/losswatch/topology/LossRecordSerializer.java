package io.losswatch.topology;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
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
    /**
     * One generator and buffer per thread, reused record after record (creating a generator per record
     * was a third of this serializer's cost). Kafka Streams shares one serializer between the tasks
     * of every stream thread, hence per thread.
     */
    private final ThreadLocal<Writer> writers = new ThreadLocal<>();

    @Override
    public byte[] serialize(String topic, LossRecord r) {
        if (r == null) {
            return null;
        }
        Writer w = writers.get();
        if (w == null) {
            w = new Writer();
            writers.set(w);
        }
        boolean written = false;
        try {
            JsonGenerator g = w.generator;
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
            g.flush();
            byte[] bytes = w.buffer.toByteArray();
            written = true;
            return bytes;
        } catch (IOException e) {
            throw new SerializationException("cannot write a loss record as JSON", e);
        } finally {
            w.buffer.reset();
            if (!written) {
                writers.remove(); // a generator that failed mid-record is in an unknown state
            }
        }
    }

    /** Scalars straight to the generator, as the tree would write them; anything else through the tree. */
    private static void writeNode(JsonGenerator g, JsonNode node) throws IOException {
        if (node == null) {
            g.writeNull();
        } else if (node.isDouble()) {
            g.writeNumber(node.doubleValue());
        } else if (node.isInt()) {
            g.writeNumber(node.intValue());
        } else if (node.isBoolean()) {
            g.writeBoolean(node.booleanValue());
        } else if (node.isTextual()) {
            g.writeString(node.textValue());
        } else {
            g.writeTree(node);
        }
    }

    private static final class Writer {
        final ByteArrayBuilder buffer = new ByteArrayBuilder(256);
        final JsonGenerator generator;

        Writer() {
            try {
                generator = Json.MAPPER.createGenerator(buffer);
            } catch (IOException e) {
                throw new SerializationException("cannot create a JSON generator", e);
            }
            // records are written one after another on the same generator: nothing between them (the
            // mapper has no pretty printer, whose own separator would apply instead)
            generator.setRootValueSeparator(null);
        }
    }
}
