package io.losswatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONTRACT §12 end to end, with the real jar on a real (in-process KRaft) broker. A live {@code run} (two
 * partitions, exactly-once) sees 16 one-minute windows of two models: "steady", labelled inline, and
 * "drift", whose labels come on the labels topic 15 s later and whose world flips from window 10 on (the
 * label is drawn from 1 − p instead of p, so its log loss rises from about 0.4 to about 1.6). Then
 * {@code replay} over the same range, twice.
 *
 * <p>Expected: the replay prints exactly the live run's final windows (every §6 figure; the §9 records'
 * counts, mean prediction and psi) and its alerts; the two replays print the same bytes; the replay
 * leaves the broker's topics and consumer groups as they were. Not compared, because they depend on the
 * live run's wall-clock timing and not only on its input: what the calibration had learned when a §9 record
 * was published ({@code labelled}, {@code calibration_count}, the estimate and the §6 record's copy of it),
 * hence the estimated_loss rule (off here); the sequential rule, which judges losses in the batches each
 * partition flushed every 100 ms of wall clock (off here), and for the same reason the relative rule's
 * skew-adjusted threshold, compared to 1% (docs/alerting.md, Tuning a model with replay).
 */
class ReplayIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();

    private static final Duration WAIT = Duration.ofSeconds(180);
    /** 2025-11-24T16:00:00Z. */
    private static final long T0 = 1_764_000_000_000L;
    private static final long MIN = 60_000;
    private static final int WINDOWS = 16;
    private static final int PER_WINDOW = 240;
    private static final List<String> TOPICS = List.of("predictions", "labels", "prediction-losses", "model-metrics",
            "model-alerts", "losswatch-dlq", "prediction-metrics");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;
    private final String prefix = "r" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private LosswatchProcess app;

    @AfterEach
    void tearDown() {
        if (app != null && app.isAlive()) {
            app.kill();
        }
    }

    @Test
    void replayPrintsExactlyWhatTheLiveRunPublishedTheSameBytesTwiceAndLeavesNothingBehind() throws Exception {
        createTopics();
        Map<String, String> settings = LosswatchProcess.isolatedConfig(KAFKA.bootstrapServers(), prefix, work.resolve("state"));
        settings.put("losswatch.topic.partitions", "2");
        settings.put("losswatch.join.window", "PT5M"); // live gives no label up: counts do not hang on timing
        settings.put("losswatch.join.grace", "PT10S");
        settings.put("losswatch.alert.warmup.windows", "4");
        settings.put("losswatch.alert.sequential.enabled", "false");
        settings.put("losswatch.alert.estimated.enabled", "false");
        settings.put("losswatch.estimate.min.labelled", "200");
        settings.put("consumer.session.timeout.ms", "6000");
        // both partitions have input throughout: on a loaded machine a partition whose records wait 10 s
        // behind the other's would be taken for idle, its windows closed and its records dead-lettered late
        settings.put("losswatch.input.idle.timeout", "PT5M");
        Path config = LosswatchProcess.writeConfig(work, settings);
        app = LosswatchProcess.start(config, work);
        app.waitUntilRunning(WAIT);
        produceTraffic();

        List<JsonNode> liveMetrics = values("model-metrics", 2 * WINDOWS);
        List<JsonNode> livePredictionMetrics = values("prediction-metrics", 2 * WINDOWS);
        List<JsonNode> liveAlerts = values("model-alerts", 1);
        assertThat(liveMetrics).as(app.logTail()).hasSize(2 * WINDOWS);
        assertThat(livePredictionMetrics).hasSize(2 * WINDOWS);
        assertThat(liveAlerts).as("the drift is caught live").anySatisfy(a -> {
            assertThat(a.get("model").asText()).isEqualTo("drift");
            assertThat(a.get("status").asText()).isEqualTo("FIRING");
        });
        assertThat(app.stop()).isZero();

        Set<String> topicsBefore = allTopics();
        Set<String> groupsBefore = groups();
        Replayed first = replay(config);
        Replayed second = replay(config);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.err()).contains("windows: 32 metrics, 32 prediction_metrics");
        assertThat(second.out()).as("the same input and settings give the same bytes").isEqualTo(first.out());
        assertThat(allTopics()).as("no topic created").isEqualTo(topicsBefore);
        assertThat(groups()).as("no consumer group joined or created").isEqualTo(groupsBefore);

        List<JsonNode> metrics = first.lines("metrics");
        List<JsonNode> predictionMetrics = first.lines("prediction_metrics");
        List<JsonNode> alerts = first.lines("alert");
        assertSame(byWindow(metrics), byWindow(liveMetrics), Set.of("estimated_loss"));
        assertSame(byWindow(predictionMetrics), byWindow(livePredictionMetrics),
                Set.of("labelled", "calibration_count", "estimated_loss", "estimated_loss_low", "estimated_loss_high"));
        assertThat(alerts).hasSameSizeAs(liveAlerts);
        // the same alerts: model, version, status, rule, window, count, mean loss and baseline as live. The
        // relative rule's threshold is skew-adjusted with the baseline's skewness, which is learned from the
        // losses in the batches the aggregator received (live: each partition's flush every 100 ms of wall
        // clock; replay: every 100 ms of event time), so it is compared to 1%, and the message that quotes it
        // is not compared
        assertSame(byAlert(alerts), byAlert(liveAlerts), Set.of("threshold", "message"));
        for (Map.Entry<String, JsonNode> e : byAlert(liveAlerts).entrySet()) {
            JsonNode live = e.getValue().get("threshold");
            JsonNode replayed = byAlert(alerts).get(e.getKey()).get("threshold");
            if (live.isNull()) {
                assertThat(replayed.isNull()).as(e.getKey()).isTrue();
            } else {
                assertThat(replayed.asDouble()).as(e.getKey() + " threshold")
                        .isCloseTo(live.asDouble(), within(0.01 * live.asDouble()));
            }
        }
    }

    /** Both models' windows in event-time order, predictions and labels interleaved, then a later record per partition. */
    private void produceTraffic() {
        Random random = new Random(11);
        List<ProducerRecord<String, String>> labels = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            List<ProducerRecord<String, String>> predictions = new ArrayList<>();
            for (int i = 0; i < PER_WINDOW; i++) {
                long t = T0 + w * MIN + i * (MIN / PER_WINDOW);
                int partition = i % 2;
                for (String model : List.of("steady", "drift")) {
                    double p = 1 / (1 + Math.exp(-2 * random.nextGaussian()));
                    double truth = model.equals("drift") && w >= 10 ? 1 - p : p;
                    int y = random.nextDouble() < truth ? 1 : 0;
                    String id = model + "-" + w + "-" + i;
                    String prediction = String.format(java.util.Locale.ROOT,
                            "{\"prediction_id\":\"%s\",\"model\":\"%s\",\"model_version\":\"v1\",\"timestamp\":%d,"
                                    + "\"prediction\":%.4f%s}", id, model, t, p, model.equals("steady") ? ",\"label\":" + y : "");
                    predictions.add(new ProducerRecord<>(prefix + "predictions", partition, t, id, prediction));
                    if (model.equals("drift")) {
                        long lt = t + 15_000;
                        labels.add(new ProducerRecord<>(prefix + "labels", partition, lt, id,
                                "{\"prediction_id\":\"" + id + "\",\"label\":" + y + ",\"timestamp\":" + lt + "}"));
                    }
                }
            }
            KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "predictions", predictions);
            long upTo = T0 + (w + 1) * MIN;
            List<ProducerRecord<String, String>> due = labels.stream().filter(l -> l.timestamp() < upTo).toList();
            KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "labels", due);
            labels.removeAll(due);
        }
        KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "labels", labels);
        List<ProducerRecord<String, String>> clock = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            long t = T0 + (WINDOWS + 9) * MIN + p;
            clock.add(new ProducerRecord<>(prefix + "predictions", p, t, "clock-" + p,
                    "{\"model\":\"clock\",\"timestamp\":" + t + ",\"prediction\":0.5,\"label\":1}"));
        }
        KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "predictions", clock);
    }

    record Replayed(int exit, String out, String err) {
        List<JsonNode> lines(String kind) {
            return ReplayLines.of(out, kind);
        }
    }

    /** {@code java -jar losswatch.jar replay --config FILE --from T0 --to T0 + 16 min}: exit code, stdout, stderr. */
    private Replayed replay(Path config) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("losswatch.jar", "target/losswatch.jar")).toAbsolutePath();
        Path out = Files.createTempFile(work, "replay", ".out");
        Path err = Files.createTempFile(work, "replay", ".err");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-jar", jar.toString(), "replay", "--config", config.toString(),
                "--from", "2025-11-24T16:00:00Z", "--to", "2025-11-24T16:16:00Z")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("replay ends").isTrue();
        return new Replayed(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private List<JsonNode> values(String topic, int expected) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : KafkaTestClients.consumeReadCommitted(KAFKA.bootstrapServers(),
                prefix + topic, expected, WAIT)) {
            JsonNode v = ReplayLines.parse(r.value());
            if (!v.get("model").asText().equals("clock")) {
                out.add(v);
            }
        }
        return out;
    }

    private static Map<String, JsonNode> byWindow(List<JsonNode> records) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode r : records) {
            String key = r.get("model").asText() + "@" + (r.get("window_start").asLong() - T0) / MIN;
            assertThat(out.put(key, r)).as("one record per window: " + key).isNull();
        }
        return out;
    }

    private static Map<String, JsonNode> byAlert(List<JsonNode> records) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode r : records) {
            String key = r.get("model").asText() + "@" + (r.get("window_start").asLong() - T0) / MIN + " "
                    + r.get("rule").asText() + " " + r.get("status").asText();
            assertThat(out.put(key, r)).as("one alert per window, rule and status: " + key).isNull();
        }
        return out;
    }

    /**
     * The same keys and fields (but ignored); decimals to 1e-9 relative: live, a window's sums were merged from
     * two partitions' partials in another order. The replay's own "record" field is not in the live records.
     */
    private static void assertSame(Map<String, JsonNode> replayed, Map<String, JsonNode> live, Set<String> ignored) {
        ReplayLines.assertSameRecords(replayed, live, ignored, 1e-9);
    }

    private static Set<String> allTopics() throws Exception {
        try (Admin admin = admin()) {
            return admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(60, TimeUnit.SECONDS);
        }
    }

    private static Set<String> groups() throws Exception {
        try (Admin admin = admin()) {
            return admin.listGroups().all().get(60, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()));
    }

    private void createTopics() throws Exception {
        KafkaTestClients.createTopics(KAFKA.bootstrapServers(), TOPICS.stream().map(n -> prefix + n).toList(), 2, WAIT);
    }

}
