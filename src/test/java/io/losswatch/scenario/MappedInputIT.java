package io.losswatch.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar on a real broker reading its own shapes (CONTRACT §10): KServe inference-logger responses
 * with batches (V1 and V2) and a request, and labels in a nested shape; exact losses and window values.
 */
class MappedInputIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_764_000_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void kserveBatchesAndNestedLabelsGiveExactLossesAndWindows() throws Exception {
        String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String bootstrap = KAFKA.bootstrapServers();
        Map<String, String> config = LosswatchProcess.isolatedConfig(bootstrap, prefix, work.resolve("state"));
        config.put("losswatch.topic.partitions", "1");
        config.put("losswatch.join.window", "PT2M");
        config.put("losswatch.join.grace", "PT10S");
        config.put("losswatch.window.grace", "PT10S");
        config.put("losswatch.input.predictions.format", "kserve");
        config.put("losswatch.input.labels.field.prediction_id", "/ref/id");
        config.put("losswatch.input.labels.field.label", "/outcome/value");
        config.put("losswatch.input.labels.field.timestamp", "/ref/at");
        LosswatchProcess app = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);
        try {
            app.waitUntilRunning(WAIT);
            List<ProducerRecord<String, String>> predictions = new ArrayList<>();
            predictions.add(kserve(prefix + "predictions", "org.kubeflow.serving.inference.request", "a", "iris", T0 + 1_000,
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[3,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6]}]}"));
            predictions.add(kserve(prefix + "predictions", "org.kubeflow.serving.inference.response", "a", "iris", T0 + 1_000,
                    "{\"model_name\":\"iris\",\"id\":\"a\",\"outputs\":[{\"name\":\"p\",\"shape\":[3,1],\"datatype\":\"FP64\","
                            + "\"data\":[0.9,0.3,0.6]}]}"));
            predictions.add(kserve(prefix + "predictions", "org.kubeflow.serving.inference.response", "b", "iris", T0 + 2_000,
                    "{\"predictions\":[0.8,0.25]}"));
            KafkaTestClients.produce(bootstrap, prefix + "predictions", predictions);
            List<ProducerRecord<String, String>> labels = new ArrayList<>();
            labels.add(label(prefix + "labels", "a-0", 1, T0 + 5_000));
            labels.add(label(prefix + "labels", "a-1", 0, T0 + 5_000));
            labels.add(label(prefix + "labels", "b-0", 1, T0 + 6_000));
            labels.add(label(prefix + "labels", "b-1", 0, T0 + 6_000));
            KafkaTestClients.produce(bootstrap, prefix + "labels", labels);
            // a-2 is never labelled; later records move both inputs' event time on so its wait ends and the window closes
            long later = T0 + 600_000;
            KafkaTestClients.produce(bootstrap, prefix + "predictions", List.of(kserve(prefix + "predictions",
                    "org.kubeflow.serving.inference.response", "clock", "clock", later, "{\"predictions\":[0.5]}")));
            KafkaTestClients.produce(bootstrap, prefix + "labels", List.of(label(prefix + "labels", "clock-0", 1, later)));

            List<ConsumerRecord<String, String>> losses = KafkaTestClients.consumeReadCommitted(bootstrap,
                    prefix + "prediction-losses", 5, WAIT);
            Map<String, Double> lossById = new LinkedHashMap<>();
            for (ConsumerRecord<String, String> r : losses) {
                JsonNode l = JSON.readTree(r.value());
                lossById.put(l.get("prediction_id").asText(), l.get("loss").asDouble());
            }
            assertThat(lossById).containsOnlyKeys("a-0", "a-1", "b-0", "b-1", "clock-0");
            assertThat(lossById.get("a-0")).isCloseTo(-Math.log(0.9), within(1e-12));
            assertThat(lossById.get("a-1")).isCloseTo(-Math.log(0.7), within(1e-12));
            assertThat(lossById.get("b-0")).isCloseTo(-Math.log(0.8), within(1e-12));
            assertThat(lossById.get("b-1")).isCloseTo(-Math.log(0.75), within(1e-12));

            JsonNode window = null;
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (window == null && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : KafkaTestClients.consumeReadCommitted(bootstrap, prefix + "model-metrics",
                        1, Duration.ofSeconds(5))) {
                    JsonNode m = JSON.readTree(r.value());
                    if (m.get("model").asText().equals("iris") && m.get("final").asBoolean()) {
                        window = m;
                    }
                }
            }
            assertThat(window).as("iris's final window").isNotNull();
            assertThat(window.get("window_start").asLong()).isEqualTo(T0);
            assertThat(window.get("count").asLong()).isEqualTo(4);
            assertThat(window.get("unlabelled").asLong()).isEqualTo(1);
            assertThat(window.get("mean_loss").asDouble())
                    .isCloseTo((-Math.log(0.9) - Math.log(0.7) - Math.log(0.8) - Math.log(0.75)) / 4, within(1e-12));
            assertThat(app.get("/metrics").body()).contains("losswatch_input_skipped_total{reason=\"kserve_request\",topic=\""
                    + prefix + "predictions\"} 1.0");
        } finally {
            app.kill();
        }
    }

    private static ProducerRecord<String, String> kserve(String topic, String type, String id, String service, long t,
                                                         String body) {
        RecordHeaders h = new RecordHeaders();
        String[] kv = {"ce_specversion", "1.0", "ce_id", id, "ce_source", "http://localhost:9081/", "ce_type", type,
                "ce_time", Instant.ofEpochMilli(t).toString().replace("Z", ".000123456Z"), "ce_inferenceservicename", service,
                "ce_namespace", "default", "ce_component", "predictor", "ce_endpoint", "", "content-type", "application/json"};
        for (int i = 0; i < kv.length; i += 2) {
            h.add(kv[i], kv[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, null, t, id, body, h);
    }

    private static ProducerRecord<String, String> label(String topic, String id, int y, long t) {
        return new ProducerRecord<>(topic, null, t, id, "{\"ref\":{\"id\":\"" + id + "\",\"at\":" + t + "},"
                + "\"outcome\":{\"value\":" + y + "}}");
    }
}
