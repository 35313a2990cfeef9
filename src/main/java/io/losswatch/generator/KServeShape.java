package io.losswatch.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.losswatch.generator.Traffic.Outgoing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The generator's records as KServe's inference logger writes them to Kafka (CONTRACT §10, binary-mode
 * CloudEvents, logger mode "all"; the headers are the attributes and extensions the logger sets: id, type,
 * source, time, inferenceservicename, namespace, component, endpoint, metadata): each prediction becomes a
 * request event (which losswatch skips and counts) and a response event holding a V2 (Open Inference
 * Protocol) body of one prediction that names the model's version, as Triton's responses do, {@code
 * {"model_name", "model_version", "id", "outputs": [{"shape": [1], "data": [p]}]}}, id {@code
 * <prediction_id>-0}; the version is read from the body. An inline label becomes a
 * label record on the labels topic, since a response carries none; labels name the {@code -0} ids.
 * Malformed records stay malformed (a cut body, a missing model header).
 */
public final class KServeShape {
    /** The settings that read this shape. */
    public static final List<String> SETTINGS = List.of("losswatch.input.predictions.format=kserve",
            "losswatch.input.predictions.field.model_version=/model_version");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String labelsTopic;

    public KServeShape(String labelsTopic) {
        this.labelsTopic = labelsTopic;
    }

    /** The records to send for o, the one whose acknowledgement counts for o first. */
    public List<ProducerRecord<byte[], byte[]>> records(Outgoing o) {
        JsonNode json;
        try {
            json = JSON.readTree(o.value());
        } catch (Exception e) {
            json = null;
        }
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(3);
        if (o.topic().equals(labelsTopic)) {
            if (json instanceof ObjectNode label && label.path("prediction_id").isTextual()) {
                label.put("prediction_id", label.get("prediction_id").textValue() + "-0");
                out.add(record(o.topic(), o.key(), label.toString(), o.timestamp(), null));
            } else {
                out.add(record(o.topic(), o.key(), o.value(), o.timestamp(), null));
            }
            return out;
        }
        String id = json != null && json.path("prediction_id").isTextual() ? json.get("prediction_id").textValue() : o.key();
        RecordHeaders response = headers("org.kubeflow.serving.inference.response", id, o.timestamp(), json);
        String body = json != null && json.has("prediction")
                ? v2Response(json, id)
                : o.value(); // a cut record stays cut
        out.add(record(o.topic(), o.key(), body, o.timestamp(), response));
        out.add(record(o.topic(), o.key(), "{\"instances\":[[0.0]]}", o.timestamp(),
                headers("org.kubeflow.serving.inference.request", id, o.timestamp(), json)));
        if (json != null && json.has("label") && id != null) {
            out.add(record(labelsTopic, o.key(), "{\"prediction_id\":\"" + id + "-0\",\"label\":" + json.get("label")
                    + ",\"timestamp\":" + o.timestamp() + "}", o.timestamp(), null));
        }
        return out;
    }

    /** A V2 response body of one prediction; the version is there only when the prediction has one. */
    private static String v2Response(JsonNode prediction, String id) {
        ObjectNode body = JSON.createObjectNode();
        body.set("model_name", prediction.get("model"));
        if (prediction.has("model_version")) {
            body.set("model_version", prediction.get("model_version"));
        }
        body.put("id", id);
        ObjectNode output = body.putArray("outputs").addObject();
        output.put("name", "output-0");
        output.putArray("shape").add(1);
        output.put("datatype", "FP64");
        output.putArray("data").add(prediction.get("prediction"));
        return body.toString();
    }

    private static RecordHeaders headers(String type, String id, long t, JsonNode json) {
        RecordHeaders h = new RecordHeaders();
        add(h, "ce_specversion", "1.0");
        add(h, "ce_id", id);
        add(h, "ce_source", "http://localhost:9081/");
        add(h, "ce_type", type);
        add(h, "ce_time", Instant.ofEpochMilli(t).toString());
        if (json != null && json.path("model").isTextual()) {
            add(h, "ce_inferenceservicename", json.get("model").textValue());
        }
        add(h, "ce_namespace", "default");
        add(h, "ce_component", "predictor");
        add(h, "ce_endpoint", "default");
        add(h, "ce_metadata", "{}");
        add(h, "content-type", "application/json");
        return h;
    }

    private static void add(RecordHeaders h, String name, String value) {
        if (value != null) {
            h.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value, long t, RecordHeaders h) {
        return new ProducerRecord<>(topic, null, t, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), h);
    }
}
