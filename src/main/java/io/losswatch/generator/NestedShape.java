package io.losswatch.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.losswatch.generator.Traffic.Outgoing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The generator's predictions in the nested shape of README "Reading your own topics" (CONTRACT §10):
 * {@code {"request": {"id", "at"}, "meta": {"model", "version"}, "output": {"probabilities": [1 - p, p]},
 * "outcome": {"churned"}}}; labels stay §4. A record that is not a JSON object stays as it is.
 */
public final class NestedShape {
    /** The settings that read this shape. */
    public static final List<String> SETTINGS = List.of(
            "losswatch.input.predictions.field.prediction_id=/request/id",
            "losswatch.input.predictions.field.timestamp=/request/at",
            "losswatch.input.predictions.field.model=/meta/model",
            "losswatch.input.predictions.field.model_version=/meta/version",
            "losswatch.input.predictions.field.prediction=/output/probabilities/1",
            "losswatch.input.predictions.field.label=/outcome/churned");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String predictionsTopic;

    public NestedShape(String predictionsTopic) {
        this.predictionsTopic = predictionsTopic;
    }

    public ProducerRecord<byte[], byte[]> record(Outgoing o) {
        String value = o.topic().equals(predictionsTopic) ? nest(o.value()) : o.value();
        return new ProducerRecord<>(o.topic(), null, o.timestamp(),
                o.key() == null ? null : o.key().getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    static String nest(String value) {
        JsonNode json;
        try {
            json = JSON.readTree(value);
        } catch (Exception e) {
            return value;
        }
        if (!(json instanceof ObjectNode in)) {
            return value;
        }
        ObjectNode out = JSON.createObjectNode();
        ObjectNode request = out.putObject("request");
        copy(in, "prediction_id", request, "id");
        copy(in, "timestamp", request, "at");
        ObjectNode meta = out.putObject("meta");
        copy(in, "model", meta, "model");
        copy(in, "model_version", meta, "version");
        JsonNode p = in.get("prediction");
        if (p != null) {
            var probabilities = out.putObject("output").putArray("probabilities");
            probabilities.add(p.isNumber() ? JSON.getNodeFactory().numberNode(1 - p.doubleValue()) : JSON.getNodeFactory().nullNode());
            probabilities.add(p);
        }
        if (in.has("label")) {
            out.putObject("outcome").set("churned", in.get("label"));
        }
        return out.toString();
    }

    private static void copy(ObjectNode from, String name, ObjectNode to, String as) {
        if (from.has(name)) {
            to.set(as, from.get(name));
        }
    }
}
