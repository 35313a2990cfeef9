package io.losswatch.scenario;

import static io.losswatch.scenario.Traffic.MINUTE;
import static io.losswatch.scenario.Traffic.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.it.KafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end scenarios: the real jar (java -jar target/losswatch.jar run --config FILE) against a
 * real broker, JSON produced with a plain producer, results read with read_committed consumers.
 * Subclasses say which broker: Kafka's in-process KRaft cluster, or a Testcontainers one.
 */
abstract class PipelineScenarios {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);

    abstract KafkaBroker broker();

    /** Config, state and the application's logs; kept after a failure to read them. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;
    private String prefix;
    private Map<String, String> config;
    private LosswatchProcess app;

    @BeforeEach
    void setUp() {
        prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + "-";
        config = new LinkedHashMap<>();
        config.put("bootstrap.servers", broker().bootstrapServers());
        config.put("application.id", prefix + "losswatch");
        config.put("state.dir", work.resolve("state").toString());
        config.put("losswatch.topic.predictions", prefix + "predictions");
        config.put("losswatch.topic.labels", prefix + "labels");
        config.put("losswatch.topic.losses", prefix + "prediction-losses");
        config.put("losswatch.topic.metrics", prefix + "model-metrics");
        config.put("losswatch.topic.alerts", prefix + "model-alerts");
        config.put("losswatch.topic.dlq", prefix + "dlq");
        config.put("losswatch.topic.partitions", "2");
        config.put("losswatch.http.port", "0"); // any free port: several instances may run at once
        config.put("losswatch.join.window", "PT2M");
        config.put("losswatch.join.grace", "PT10S");
        config.put("losswatch.window.grace", "PT10S");
        // a killed instance is noticed in seconds, not the default 45 s
        config.put("consumer.session.timeout.ms", "6000");
    }

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.kill();
        }
    }

    private LosswatchProcess startApp() throws IOException {
        Path file = LosswatchProcess.writeConfig(work, config);
        LosswatchProcess p = LosswatchProcess.start(file, work);
        p.waitUntilRunning(WAIT);
        return p;
    }

    @Test
    void lossesWindowsAndDeadLettersAreExact() throws Exception {
        String bootstrap = broker().bootstrapServers();
        app = startApp();
        Traffic traffic = new Traffic(prefix + "predictions", prefix + "labels")
                .labelled(0, 2, 20, 7)
                .separatelyLabelled(0, 6, 30)
                .neverLabelled(1);
        KafkaTestClients.produce(bootstrap, prefix + "predictions", traffic.predictions);
        KafkaTestClients.produce(bootstrap, prefix + "labels", traffic.labels);
        String notJson = "{\"model\": \"churn\", \"prediction\": ";
        String outOfRange = "{\"model\":\"churn\",\"prediction\":1.5,\"label\":1,\"timestamp\":" + T0 + "}";
        String noModel = "{\"prediction\":0.5,\"label\":1,\"timestamp\":" + T0 + "}";
        String ghost = "{\"prediction_id\":\"ghost\",\"label\":1,\"timestamp\":" + (T0 + 5_000) + "}";
        KafkaTestClients.produce(bootstrap, prefix + "predictions", List.of(
                new ProducerRecord<>(prefix + "predictions", "bad-1", notJson),
                new ProducerRecord<>(prefix + "predictions", "bad-2", outOfRange),
                new ProducerRecord<>(prefix + "predictions", "bad-3", noModel)));
        KafkaTestClients.produce(bootstrap, prefix + "labels",
                List.of(new ProducerRecord<>(prefix + "labels", "ghost", ghost)));

        List<ConsumerRecord<String, String>> losses =
                KafkaTestClients.consumeReadCommitted(bootstrap, prefix + "prediction-losses", traffic.expectedLossRecords, WAIT);
        assertThat(losses).hasSize(traffic.expectedLossRecords);

        // only now move event time on, so every earlier record is ahead of the clock in its partition
        KafkaTestClients.produce(bootstrap, prefix + "predictions", traffic.clockPredictions(T0 + 10 * MINUTE));
        KafkaTestClients.produce(bootstrap, prefix + "labels", traffic.clockLabels(T0 + 10 * MINUTE));

        assertWindowsExact(bootstrap, traffic);

        List<ConsumerRecord<String, byte[]>> dead = KafkaTestClients.consumeReadCommittedBytes(bootstrap, prefix + "dlq", 4, WAIT);
        Map<String, String> reasonByValue = new HashMap<>();
        for (ConsumerRecord<String, byte[]> d : dead) {
            reasonByValue.put(new String(d.value(), StandardCharsets.UTF_8), KafkaTestClients.header(d, "losswatch.error.reason"));
            assertThat(KafkaTestClients.header(d, "losswatch.error.message")).isNotBlank();
            assertThat(KafkaTestClients.header(d, "losswatch.source.offset")).matches("\\d+");
        }
        assertThat(reasonByValue).containsExactlyInAnyOrderEntriesOf(Map.of(
                notJson, "invalid_json", outOfRange, "out_of_range", noModel, "missing_field", ghost, "unmatched_label"));
    }

    @Test
    void killedMidStreamAndRestartedEveryResultAppearsExactlyOnce() throws Exception {
        String bootstrap = broker().bootstrapServers();
        app = startApp();
        Traffic first = new Traffic(prefix + "predictions", prefix + "labels").labelled(0, 1, 40, 11);
        Traffic second = new Traffic(prefix + "predictions", prefix + "labels").labelled(2, 3, 40, 13);
        KafkaTestClients.produce(bootstrap, prefix + "predictions", first.predictions);
        // the second half arrives while the first is being processed; the process dies without a clean close
        Thread producer = new Thread(() -> KafkaTestClients.produce(bootstrap, prefix + "predictions", second.predictions));
        producer.start();
        Thread.sleep(300);
        app.kill();
        producer.join();

        app = startApp();
        int expected = first.expectedLossRecords + second.expectedLossRecords;
        List<ConsumerRecord<String, String>> losses =
                KafkaTestClients.consumeReadCommitted(bootstrap, prefix + "prediction-losses", expected, WAIT);
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, String> r : losses) {
            assertThat(ids.add(JSON.readTree(r.value()).get("prediction_id").asText())).as("no duplicate loss").isTrue();
        }
        assertThat(losses).hasSize(expected);

        KafkaTestClients.produce(bootstrap, prefix + "predictions", first.clockPredictions(T0 + 10 * MINUTE));
        Traffic all = new Traffic(prefix + "predictions", prefix + "labels").labelled(0, 1, 40, 11).labelled(2, 3, 40, 13);
        assertWindowsExact(bootstrap, all);
    }

    @Test
    void unknownSettingStopsStartUpWithExitCode2AndOneLineNamingIt() throws Exception {
        config.put("losswatch.foo", "bar");
        app = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);

        assertThat(app.awaitExit(Duration.ofSeconds(30))).as(app.logTail()).isEqualTo(2);
        String output = app.logText().strip();
        assertThat(output).as("one line on stdout/stderr").doesNotContain("\n").startsWith("losswatch: ")
                .contains("losswatch.foo");
        // it stopped before touching the broker: the rest of the configuration is valid, yet no topic exists
        assertThat(KafkaTestClients.topics(broker().bootstrapServers())).noneMatch(t -> t.startsWith(prefix));
    }

    /** Every expected window appears exactly once, final, with exact figures; no other window appears. */
    private void assertWindowsExact(String bootstrap, Traffic traffic) throws IOException {
        Set<String> expectedKeys = new HashSet<>(traffic.expectedLosses.keySet());
        expectedKeys.addAll(traffic.expectedUnlabelled.keySet());
        List<ConsumerRecord<String, String>> records =
                KafkaTestClients.consumeReadCommitted(bootstrap, prefix + "model-metrics", expectedKeys.size(), WAIT);
        Map<String, JsonNode> windows = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            JsonNode m = JSON.readTree(r.value());
            String key = Traffic.key(m.get("model").asText(), m.get("model_version").asText(), m.get("window_start").asLong());
            assertThat(windows.put(key, m)).as("window %s published once", key).isNull();
            assertThat(r.key()).isEqualTo(m.get("model").asText());
            assertThat(m.get("final").asBoolean()).isTrue();
        }
        assertThat(windows.keySet()).containsExactlyInAnyOrderElementsOf(expectedKeys);
        for (Map.Entry<String, List<Double>> e : traffic.expectedLosses.entrySet()) {
            JsonNode m = windows.get(e.getKey());
            List<Double> losses = e.getValue();
            assertThat(m.get("count").asLong()).as(e.getKey()).isEqualTo(losses.size());
            assertThat(m.get("mean_loss").asDouble()).as(e.getKey()).isCloseTo(Traffic.mean(losses), within(1e-12));
            assertThat(m.get("stddev_loss").asDouble()).as(e.getKey())
                    .isCloseTo(Traffic.populationStddev(losses), within(1e-9));
            assertThat(m.get("min_loss").asDouble()).isCloseTo(losses.stream().mapToDouble(d -> d).min().orElseThrow(),
                    within(1e-15));
            assertThat(m.get("max_loss").asDouble()).isCloseTo(losses.stream().mapToDouble(d -> d).max().orElseThrow(),
                    within(1e-15));
            assertThat(m.get("window_end").asLong() - m.get("window_start").asLong()).isEqualTo(MINUTE);
        }
        for (Map.Entry<String, Integer> e : traffic.expectedUnlabelled.entrySet()) {
            assertThat(windows.get(e.getKey()).get("unlabelled").asInt()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    static String readFile(Path p) throws IOException {
        return Files.readString(p);
    }
}
