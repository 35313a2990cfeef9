package io.losswatch.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts end to end: the real jar against a real (in-process KRaft) broker, exactly-once, two
 * partitions per topic. One model degrades and recovers while another stays as it was; the alerts
 * topic, read with read_committed, must hold exactly one FIRING and one RESOLVED, also when the
 * application is killed while the alert is firing and started again.
 *
 * <p>Each window holds 200 labelled predictions per model whose log losses alternate 0.7 and 0.1
 * (mean 0.4); a degraded window alternates 0.8 and 0.2 (mean 0.5): above the alert level
 * 0.4 + max(2.75 × 0.3/√200, 20%) = 0.48 in every window, so the relative rule fires when the second
 * degraded window closes. The sequential detector is switched off for churn here: with the default drift
 * (0.15σ) this rise (a third of σ per event) would also trip it in that window, after about 350
 * degraded losses, at a point that depends on how the two partitions' records interleave on their way
 * to it. This test is about exactly-once alerts across a crash, not about which rule wins; the
 * sequential detector's path through the topology is checked in AlertTopologyTest.
 */
class AlertsIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final long T0 = Scenario.T0;
    private static final long MIN = 60_000;
    private static final int PER_WINDOW = 200;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;
    private String prefix;
    private Map<String, String> config;
    private LosswatchProcess app;

    @BeforeEach
    void setUp() {
        prefix = "a" + UUID.randomUUID().toString().substring(0, 8) + "-";
        config = new LinkedHashMap<>();
        config.put("bootstrap.servers", KAFKA.bootstrapServers());
        config.put("application.id", prefix + "losswatch");
        config.put("state.dir", work.resolve("state").toString());
        config.put("losswatch.topic.predictions", prefix + "predictions");
        config.put("losswatch.topic.labels", prefix + "labels");
        config.put("losswatch.topic.losses", prefix + "prediction-losses");
        config.put("losswatch.topic.metrics", prefix + "model-metrics");
        config.put("losswatch.topic.alerts", prefix + "model-alerts");
        config.put("losswatch.topic.dlq", prefix + "dlq");
        config.put("losswatch.topic.partitions", "2");
        config.put("losswatch.http.port", "0");
        config.put("consumer.session.timeout.ms", "6000");
        config.put("losswatch.model.churn.alert.sequential.enabled", "false");
        // churn degrades by moving its predictions, which the label-free prediction_drift rule rightly sees (CONTRACT §9)
        config.put("losswatch.alert.drift.enabled", "false");
    }

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.kill();
        }
    }

    @Test
    void aModelThatDegradesAndRecoversGivesExactlyOneFiringAndOneResolved() throws Exception {
        app = startApp();
        // 10 normal windows (8 of warm-up), 4 degraded, 4 normal again, then a clock record to close them
        produce(traffic(0, 17, w -> w >= 10 && w < 14));
        produce(clock(20));

        List<JsonNode> alerts = alerts(2);
        assertThat(alerts).extracting(a -> a.get("status").asText()).containsExactly("FIRING", "RESOLVED");
        assertThat(alerts).allSatisfy(a -> {
            assertThat(a.get("model").asText()).isEqualTo("churn");
            assertThat(a.get("model_version").asText()).isEqualTo("v1");
            assertThat(a.get("rule").asText()).isEqualTo("relative_to_baseline");
            assertThat(a.get("baseline").asDouble()).isCloseTo(0.4, within(1e-6));
            assertThat(a.get("message").asText()).isNotBlank();
        });
        JsonNode fired = alerts.get(0);
        assertThat(fired.get("window_start").asLong()).isEqualTo(T0 + 11 * MIN);
        assertThat(fired.get("window_end").asLong()).isEqualTo(T0 + 12 * MIN);
        assertThat(fired.get("mean_loss").asDouble()).isCloseTo(0.5, within(1e-6));
        assertThat(fired.get("threshold").asDouble()).isCloseTo(0.48, within(1e-3));
        JsonNode resolved = alerts.get(1);
        assertThat(resolved.get("window_start").asLong()).as("after 4 windows back to normal").isEqualTo(T0 + 17 * MIN);
        assertThat(resolved.get("mean_loss").asDouble()).isCloseTo(0.4, within(1e-6));
    }

    @Test
    void killedWhileFiringAndRestartedItDoesNotFireAgainAndStillResolves() throws Exception {
        app = startApp();
        produce(traffic(0, 12, w -> w >= 10));
        assertThat(alerts(1)).extracting(a -> a.get("status").asText()).containsExactly("FIRING");

        // the process dies without a clean close while the model is still degraded; more traffic meanwhile
        app.kill();
        produce(traffic(13, 17, w -> w < 14));
        produce(clock(20));
        app = startApp();

        List<JsonNode> alerts = alerts(2);
        assertThat(alerts).extracting(a -> a.get("status").asText()).containsExactly("FIRING", "RESOLVED");
        assertThat(alerts.get(0).get("window_start").asLong()).isEqualTo(T0 + 11 * MIN);
        assertThat(alerts.get(1).get("window_start").asLong()).isEqualTo(T0 + 17 * MIN);
    }

    /**
     * Creates the topics before the first start (the application uses existing topics as they are)
     * and waits until the broker describes them. Left to the application, its start-up sometimes
     * describes the predictions topic right after creating it, before the broker knows it, and exits
     * with UnknownTopicOrPartitionException (a start-up race outside the alert step).
     */
    private void createTopics() throws Exception {
        List<String> names = List.of("predictions", "labels", "prediction-losses", "model-metrics", "model-alerts",
                "dlq").stream().map(n -> prefix + n).toList();
        KafkaTestClients.createTopics(KAFKA.bootstrapServers(), names, 2, WAIT);
    }

    private LosswatchProcess startApp() throws Exception {
        if (app == null) {
            createTopics();
        }
        LosswatchProcess p = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);
        p.waitUntilRunning(WAIT);
        return p;
    }

    /** Alert records (values) read with read_committed: waits for expected, then a moment for extras. */
    private List<JsonNode> alerts(int expected) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r :
                KafkaTestClients.consumeReadCommitted(KAFKA.bootstrapServers(), prefix + "model-alerts", expected, WAIT)) {
            JsonNode v = JSON.readTree(r.value());
            assertThat(r.key()).isEqualTo(v.get("model").asText());
            out.add(v);
        }
        assertThat(out).as(app.logTail()).hasSize(expected);
        return out;
    }

    private void produce(List<ProducerRecord<String, String>> records) {
        KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "predictions", records);
    }

    interface Degraded {
        boolean in(int window);
    }

    /**
     * Windows first..last of churn (degraded where told) and of stable, in event-time order, spread
     * over both partitions of the predictions topic.
     */
    private List<ProducerRecord<String, String>> traffic(int first, int last, Degraded degraded) {
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (int w = first; w <= last; w++) {
            for (int i = 0; i < PER_WINDOW; i++) {
                long t = T0 + w * MIN + i * (MIN / PER_WINDOW);
                boolean high = i % 2 == 0;
                double churn = degraded.in(w) ? (high ? 0.8 : 0.2) : (high ? 0.7 : 0.1);
                // a high and a low loss share a partition: each partition's stream stays mixed, as real
                // traffic is (all high losses on one partition could reach the detector as one long run)
                int partition = (i / 2) % 2;
                out.add(prediction("churn", "v1", w, i, partition, t, churn));
                out.add(prediction("stable", "", w, i, partition, t, high ? 0.7 : 0.1));
            }
        }
        return out;
    }

    /** One record far ahead on each partition: moves every partition's event time past the last window. */
    private List<ProducerRecord<String, String>> clock(int window) {
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            out.add(prediction("clock", "", window, p, p, T0 + window * MIN + p, 0.5));
        }
        return out;
    }

    /** A labelled binary prediction whose log loss is loss: label 1, prediction e^−loss. */
    private ProducerRecord<String, String> prediction(String model, String version, int w, int i, int partition, long t,
                                                      double loss) {
        String id = model + "-" + w + "-" + i;
        String json = String.format("{\"prediction_id\":\"%s\",\"model\":\"%s\",\"model_version\":\"%s\","
                + "\"timestamp\":%d,\"prediction\":%s,\"label\":1}", id, model, version, t, Math.exp(-loss));
        return new ProducerRecord<>(prefix + "predictions", partition, t, id, json);
    }
}
