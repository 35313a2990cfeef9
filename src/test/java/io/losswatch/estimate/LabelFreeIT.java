package io.losswatch.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONTRACT §9 end to end: the real jar against a real (in-process KRaft) broker, exactly-once, two
 * partitions. Two calibrated binary models send 200 predictions a 1-minute window; their labels come on
 * the labels topic 2 minutes later, for windows 0–13 only. From window 14 on "shifted" has more hard cases
 * (its scores' spread falls from 2 to 0.5: its expected log loss rises from about 0.43 to about 0.66) and
 * "steady" stays as it was; no label ever comes for windows 14–17. The application is killed (SIGKILL)
 * after window 13 and started again before window 14 arrives.
 *
 * <p>Expected: a prediction-metrics record for every window of both models, exactly once each, those of
 * windows 14–17 with 0 labelled; the estimates after the restart use the calibration learned before it
 * (calibration_count never falls back); the estimated_loss rule fires for shifted (its realized baseline
 * was learned from windows 0–13) and nothing fires for steady.
 */
class LabelFreeIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final long T0 = LabelFreeRun.T0;
    private static final long MIN = 60_000;
    private static final int PER_WINDOW = 200;
    private static final List<String> TOPICS = List.of("predictions", "labels", "prediction-losses", "model-metrics",
            "model-alerts", "losswatch-dlq", "prediction-metrics");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;
    private final String prefix = "e" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private LosswatchProcess app;

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.kill();
        }
    }

    @Test
    void labelFreeWindowsAppearWithoutLabelsTheEstimateFiresForTheShiftedModelAndSurvivesAKill() throws Exception {
        createTopics();
        app = start();
        Random random = new Random(42);
        List<ProducerRecord<String, String>> predictions = new ArrayList<>();
        List<ProducerRecord<String, String>> labels = new ArrayList<>();
        for (int w = 0; w <= 13; w++) {
            window(w, random, predictions, labels);
        }
        produce(predictions, labels);
        // every window up to 12 published (13 waits for a later event), then the process dies without closing
        List<JsonNode> before = predictionMetrics(2 * 13);
        app.kill();
        app = start();

        predictions.clear();
        labels.clear();
        for (int w = 14; w <= 17; w++) {
            window(w, random, predictions, labels);
        }
        labels.clear(); // no label ever comes for windows 14–17
        for (int p = 0; p < 2; p++) {
            predictions.add(new ProducerRecord<>(prefix + "predictions", p, T0 + 25 * MIN + p, "clock-" + p,
                    "{\"model\":\"clock\",\"timestamp\":" + (T0 + 25 * MIN + p) + ",\"prediction\":0.5,\"label\":1}"));
        }
        produce(predictions, labels);

        List<JsonNode> records = predictionMetrics(2 * 18);
        Map<String, JsonNode> byWindow = new HashMap<>();
        for (JsonNode r : records) {
            String key = r.get("model").asText() + "@" + (r.get("window_start").asLong() - T0) / MIN;
            assertThat(byWindow.put(key, r)).as("exactly once: " + key).isNull();
        }
        assertThat(byWindow).hasSize(2 * 18);
        for (String model : List.of("shifted", "steady")) {
            long calibration = 0;
            for (int w = 0; w <= 17; w++) {
                JsonNode r = byWindow.get(model + "@" + w);
                assertThat(r.get("predictions").asLong()).as(model + " window " + w).isEqualTo(PER_WINDOW);
                assertThat(r.get("final").asBoolean()).isTrue();
                assertThat(r.get("calibration_count").asLong()).as("never falls back, across the kill")
                        .isGreaterThanOrEqualTo(calibration);
                calibration = r.get("calibration_count").asLong();
                if (w >= 14) {
                    assertThat(r.get("labelled").asLong()).as("no label for window " + w).isZero();
                    assertThat(r.get("estimated_loss").isNull()).as("estimated with the restored calibration").isFalse();
                    assertThat(r.get("estimated_loss_low").asDouble()).isLessThan(r.get("estimated_loss").asDouble());
                    assertThat(r.get("psi").isNull()).isFalse();
                }
            }
            assertThat(calibration).as("learned from the labels of windows 0-13").isGreaterThanOrEqualTo(10 * PER_WINDOW);
        }
        assertThat(byWindow.get("shifted@15").get("estimated_loss").asDouble())
                .isGreaterThan(byWindow.get("steady@15").get("estimated_loss").asDouble() + 0.1);
        assertThat(before).allSatisfy(r -> assertThat(r.get("window_start").asLong()).isLessThan(T0 + 13 * MIN));

        List<JsonNode> alerts = alerts();
        assertThat(alerts).as(app.logTail()).anySatisfy(a -> {
            assertThat(a.get("model").asText()).isEqualTo("shifted");
            assertThat(a.get("rule").asText()).isEqualTo("estimated_loss");
            assertThat(a.get("status").asText()).isEqualTo("FIRING");
            assertThat(a.get("window_start").asLong()).isBetween(T0 + 14 * MIN, T0 + 17 * MIN);
        });
        assertThat(alerts).noneSatisfy(a -> assertThat(a.get("model").asText()).isEqualTo("steady"));
    }

    /** One window of both models: predictions without labels, and their labels two minutes later. */
    private void window(int w, Random random, List<ProducerRecord<String, String>> predictions,
                        List<ProducerRecord<String, String>> labels) {
        for (int i = 0; i < PER_WINDOW; i++) {
            long t = T0 + w * MIN + i * (MIN / PER_WINDOW);
            int partition = i % 2;
            for (String model : List.of("shifted", "steady")) {
                double spread = model.equals("shifted") && w >= 14 ? 0.5 : 2.0;
                double p = LabelFreeTraffic.sigmoid(random.nextGaussian() * spread);
                int y = random.nextDouble() < p ? 1 : 0;
                String id = model + "-" + w + "-" + i;
                predictions.add(new ProducerRecord<>(prefix + "predictions", partition, t, id, String.format(
                        "{\"prediction_id\":\"%s\",\"model\":\"%s\",\"timestamp\":%d,\"prediction\":%s}", id, model, t, p)));
                long labelTime = t + 2 * MIN;
                labels.add(new ProducerRecord<>(prefix + "labels", partition, labelTime, id, String.format(
                        "{\"prediction_id\":\"%s\",\"label\":%d,\"timestamp\":%d}", id, y, labelTime)));
            }
        }
    }

    /** Predictions and labels interleaved in event-time order, a window's worth of each at a time. */
    private void produce(List<ProducerRecord<String, String>> predictions, List<ProducerRecord<String, String>> labels) {
        int perWindow = 2 * PER_WINDOW;
        int l = 0;
        for (int p = 0; p < predictions.size(); p += perWindow) {
            List<ProducerRecord<String, String>> batch = predictions.subList(p, Math.min(predictions.size(), p + perWindow));
            long upTo = batch.get(batch.size() - 1).timestamp();
            KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "predictions", batch);
            int from = l;
            while (l < labels.size() && labels.get(l).timestamp() <= upTo) {
                l++;
            }
            if (l > from) {
                KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "labels", labels.subList(from, l));
            }
        }
        if (l < labels.size()) {
            KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "labels", labels.subList(l, labels.size()));
        }
    }

    private List<JsonNode> predictionMetrics(int expected) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : KafkaTestClients.consumeReadCommitted(KAFKA.bootstrapServers(),
                prefix + "prediction-metrics", expected, WAIT)) {
            JsonNode v = JSON.readTree(r.value());
            if (!v.get("model").asText().equals("clock")) {
                assertThat(r.key()).isEqualTo(v.get("model").asText());
                out.add(v);
            }
        }
        assertThat(out).as(app.logTail()).hasSizeGreaterThanOrEqualTo(expected);
        return out;
    }

    private List<JsonNode> alerts() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : KafkaTestClients.consumeReadCommitted(KAFKA.bootstrapServers(),
                prefix + "model-alerts", 1, WAIT)) {
            out.add(JSON.readTree(r.value()));
        }
        return out;
    }

    private LosswatchProcess start() throws Exception {
        Map<String, String> config = LosswatchProcess.isolatedConfig(KAFKA.bootstrapServers(), prefix, work.resolve("state"));
        config.put("losswatch.topic.partitions", "2");
        config.put("losswatch.join.window", "PT5M");
        config.put("consumer.session.timeout.ms", "6000");
        LosswatchProcess p = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);
        p.waitUntilRunning(WAIT);
        return p;
    }

    /** The topics exist before the first start (as in AlertsIT: no start-up race on a just-created topic). */
    private void createTopics() throws Exception {
        KafkaTestClients.createTopics(KAFKA.bootstrapServers(), TOPICS.stream().map(n -> prefix + n).toList(), 2, WAIT);
    }
}
