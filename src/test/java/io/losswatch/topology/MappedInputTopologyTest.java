package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Mapped and KServe input through the whole topology (CONTRACT §10), with exact losses and windows. */
class MappedInputTopologyTest {
    private static final long FAR = T0 + 24 * 3_600_000L;

    @Test
    void aNestedShapeIsScoredAndWindowedAsIfItWereSection4Json() {
        Map<String, String> settings = Map.of(
                "losswatch.input.predictions.field.prediction_id", "/id",
                "losswatch.input.predictions.field.model", "/meta/model",
                "losswatch.input.predictions.field.model_version", "header:model-version",
                "losswatch.input.predictions.field.timestamp", "/meta/at",
                "losswatch.input.predictions.field.prediction", "/output/probabilities/1",
                "losswatch.input.predictions.field.label", "/truth");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            f.prediction(nested("r-1", "churn", T0 + 1_000, 0.75, 1));
            f.prediction(nested("r-2", "churn", T0 + 2_000, 0.2, 0));
            // a wrong-typed mapped target: dead-lettered, naming the mapping
            f.prediction(record(null, "{\"id\":\"r-3\",\"meta\":{\"model\":\"churn\",\"at\":\"" + Instant.ofEpochMilli(T0 + 3_000)
                    + "\"},\"output\":{\"probabilities\":[0.5,\"high\"]},\"truth\":1}", T0 + 3_000, "model-version", "v7"));
            f.prediction(nested("c", "clock", T0 + 120_000, 0.5, 1));

            List<JsonNode> losses = f.losses();
            assertThat(losses).extracting(l -> l.get("prediction_id").asText()).containsExactly("r-1", "r-2");
            assertThat(losses.get(0).get("loss").asDouble()).isCloseTo(-Math.log(0.75), within(1e-12));
            assertThat(losses.get(1).get("loss").asDouble()).isCloseTo(-Math.log(0.8), within(1e-12));
            assertThat(losses).extracting(l -> l.get("model_version").asText()).containsOnly("v7");
            assertThat(losses.get(0).get("event_time").asLong()).isEqualTo(T0 + 1_000);

            List<JsonNode> metrics = f.metrics();
            assertThat(metrics).hasSize(1);
            JsonNode w = metrics.get(0);
            assertThat(w.get("model").asText()).isEqualTo("churn");
            assertThat(w.get("window_start").asLong()).isEqualTo(T0);
            assertThat(w.get("count").asLong()).isEqualTo(2);
            assertThat(w.get("mean_loss").asDouble()).isCloseTo((-Math.log(0.75) - Math.log(0.8)) / 2, within(1e-12));

            List<TestRecord<byte[], byte[]>> dead = f.deadLetters();
            assertThat(dead).hasSize(1);
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.error.reason")).isEqualTo("wrong_type");
            assertThat(TopologyFixture.header(dead.get(0), "losswatch.error.message"))
                    .endsWith("(read by losswatch.input.predictions.field.prediction=/output/probabilities/1)");
        }
    }

    @Test
    void aKserveBatchGivesOnePredictionPerRowJoinedToItsLabels() {
        Map<String, String> settings = Map.of("losswatch.input.predictions.format", "kserve",
                "losswatch.join.window", "PT1M", "losswatch.join.grace", "PT30S");
        List<String> skipped = new ArrayList<>();
        PipelineListener listener = new PipelineListener() {
            @Override
            public void inputSkipped(String topic, String reason) {
                skipped.add(topic + "/" + reason);
            }
        };
        try (TopologyFixture f = new TopologyFixture(settings, listener)) {
            f.prediction(kserve("org.kubeflow.serving.inference.request", "req-1", "iris", T0 + 1_000,
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[3,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8,9,10,11,12]}]}"));
            f.prediction(kserve("org.kubeflow.serving.inference.response", "req-1", "iris", T0 + 1_000,
                    "{\"model_name\":\"iris\",\"id\":\"req-1\",\"outputs\":[{\"name\":\"probabilities\",\"shape\":[3,1],"
                            + "\"datatype\":\"FP32\",\"data\":[0.9,0.3,0.6]}]}"));
            f.label(T0 + 5_000, "{\"prediction_id\":\"req-1-0\",\"label\":1}");
            f.label(T0 + 6_000, "{\"prediction_id\":\"req-1-1\",\"label\":0}");
            // move both inputs' event time far on: the join waits end, the window closes
            f.prediction(kserve("org.kubeflow.serving.inference.response", "clock", "clock", FAR, "{\"predictions\":[0.5]}"));
            f.label(FAR, "{\"prediction_id\":\"clock-l\",\"label\":1}");
            f.prediction(kserve("org.kubeflow.serving.inference.response", "clock2", "clock", FAR + 1, "{\"predictions\":[0.5]}"));

            assertThat(skipped).containsExactly("predictions/kserve_request");
            List<JsonNode> losses = f.losses();
            assertThat(losses).extracting(l -> l.get("prediction_id").asText()).containsExactly("req-1-0", "req-1-1");
            assertThat(losses).extracting(l -> l.get("model").asText()).containsOnly("iris");
            assertThat(losses.get(0).get("loss").asDouble()).isCloseTo(-Math.log(0.9), within(1e-9));
            assertThat(losses.get(1).get("loss").asDouble()).isCloseTo(-Math.log(0.7), within(1e-9));
            assertThat(losses).extracting(l -> l.get("event_time").asLong()).containsOnly(T0 + 1_000);

            List<JsonNode> metrics = f.metrics();
            assertThat(metrics).hasSize(1);
            JsonNode w = metrics.get(0);
            assertThat(w.get("count").asLong()).isEqualTo(2);
            assertThat(w.get("unlabelled").asLong()).isEqualTo(1);
            // FP32 in the response is JSON text: 0.9 and 0.3 are read as the doubles they spell
            assertThat(w.get("mean_loss").asDouble()).isCloseTo((-Math.log(0.9) - Math.log(0.7)) / 2, within(1e-9));
        }
    }

    private static TestRecord<byte[], byte[]> nested(String id, String model, long t, double p, int y) {
        String json = String.format("{\"id\":\"%s\",\"meta\":{\"model\":\"%s\",\"at\":\"%s\"},"
                + "\"output\":{\"probabilities\":[%s,%s]},\"truth\":%d}", id, model, Instant.ofEpochMilli(t), 1 - p, p, y);
        return record(null, json, t, "model-version", "v7");
    }

    /** A KServe inference-logger event as the logger writes it to Kafka in binary mode. */
    private static TestRecord<byte[], byte[]> kserve(String type, String id, String service, long t, String body) {
        return record(id, body, t, "ce_specversion", "1.0", "ce_id", id, "ce_source", "http://localhost:9081/",
                "ce_type", type, "ce_time", Instant.ofEpochMilli(t).toString().replace("Z", ".000456789Z"),
                "ce_inferenceservicename", service, "ce_namespace", "default", "ce_component", "predictor",
                "ce_endpoint", "", "content-type", "application/json");
    }

    private static TestRecord<byte[], byte[]> record(String key, String value, long t, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new TestRecord<>(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), h, t);
    }
}
