package io.losswatch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.embedded.TopicContents;
import io.losswatch.topology.Names;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar target/losswatch.jar demo} for a bounded time with a fast drift schedule: it prints
 * the dashboard's URL and the broker's address; a consumer of that broker sees final windows for every
 * model, the drift and its FIRING alert, and the malformed records in the dead-letter topic, and the
 * dashboard's API and /metrics show them too; then it stops by itself, cleanly, and leaves
 * nothing behind.
 */
class DemoIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DASHBOARD = Pattern.compile("Dashboard +(http://localhost:\\d+/)");
    private static final Pattern KAFKA = Pattern.compile("Kafka +(localhost:\\d+) +\\(embedded, KRaft; data in (\\S+),");

    @TempDir
    Path work;

    @Test
    void demoShowsWindowsDriftAndDeadLettersThenStopsCleanly() throws Exception {
        JarProcess demo = JarProcess.start(work, "demo.log", "demo", "--kafka-port", "0", "--http-port", "0", "--window", "5s",
                "--rate", "80", "--label-delay", "2s", "--drift-start", "30s", "--drift-ramp", "0s",
                "--drift-size", "1.0", "--malformed-share", "0.03", "--duration", "70s");
        Matcher kafka = demo.awaitOutput(KAFKA, Duration.ofSeconds(90));
        String bootstrap = kafka.group(1);
        Path dataDir = Path.of(kafka.group(2));
        assertThat(dataDir).exists();
        String dashboard = demo.awaitOutput(DASHBOARD, Duration.ofSeconds(5)).group(1);
        assertThat(demo.output()).contains("losswatch demo is running", "Topics", "churn", "drifting to");
        HttpClient http = HttpClient.newHttpClient();
        assertThat(get(http, dashboard).statusCode()).as("the dashboard").isEqualTo(200);

        // read what it publishes, as the user's own tools would, until it stops
        List<JsonNode> windows = new ArrayList<>();
        List<JsonNode> alerts = new ArrayList<>();
        Map<String, Integer> deadLetters = new TreeMap<>();
        String metricsPage = null;
        String modelsPage = null;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicContents.consumer(bootstrap)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of("model-metrics", "model-alerts", "losswatch-dlq")) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (demo.isAlive()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    switch (r.topic()) {
                        case "model-metrics" -> windows.add(JSON.readTree(r.value()));
                        case "model-alerts" -> alerts.add(JSON.readTree(r.value()));
                        default -> deadLetters.merge(new String(r.headers().lastHeader(Names.HEADER_REASON).value(),
                                StandardCharsets.UTF_8), 1, Integer::sum);
                    }
                }
                // while it runs: the dashboard's API and /metrics show the same windows
                if (metricsPage == null && windows.size() >= 12 && deadLetters.size() >= 2) {
                    metricsPage = get(http, dashboard + "metrics").body();
                    modelsPage = get(http, dashboard + "api/models").body();
                }
            }
        }
        assertThat(demo.awaitExit(Duration.ofSeconds(60))).as("exit code after --duration\n" + demo.tail()).isZero();
        assertThat(demo.output()).contains("losswatch demo stopped.").contains("embedded Kafka: stopped");
        assertThat(dataDir).as("the temporary data directory is deleted").doesNotExist();

        // final windows for every model, each window once
        assertThat(windows).extracting(w -> w.get("model").asText()).contains("churn", "fraud", "credit-risk", "ctr");
        assertThat(windows).allSatisfy(w -> assertThat(w.get("final").asBoolean()).isTrue());
        assertThat(windows.stream().map(w -> w.get("model").asText() + "@" + w.get("window_start").asLong()))
                .doesNotHaveDuplicates();
        // the printed report shows them too
        assertThat(demo.output()).containsPattern("churn +v\\d +window \\d\\d:\\d\\d:\\d\\d-\\d\\d:\\d\\d:\\d\\d +mean log_loss");

        // the drift: churn's windows after the drift start are far worse than before it
        long start = windows.stream().mapToLong(w -> w.get("window_start").asLong()).min().orElseThrow();
        double before = meanLoss(windows, "churn", start, start + 20_000);
        double after = meanLoss(windows, "churn", start + 40_000, Long.MAX_VALUE);
        assertThat(after - before).as("churn before %.3f, after %.3f", before, after).isGreaterThan(0.6);
        double steady = meanLoss(windows, "credit-risk", start + 40_000, Long.MAX_VALUE)
                - meanLoss(windows, "credit-risk", start, start + 20_000);
        assertThat(steady).as("a model that does not drift").isLessThan(0.3);

        // malformed records are dead-lettered with their reasons
        assertThat(deadLetters).containsKeys("invalid_json", "out_of_range", "missing_field");
        assertThat(demo.output()).contains("dead letters so far:");

        assertThat(metricsPage).as("/metrics while running").isNotNull()
                .containsPattern("losswatch_window_mean_loss\\{[^}]*model=\"churn\"")
                .contains("losswatch_dlq_records_total");
        assertThat(JSON.readTree(modelsPage).findValuesAsText("model")).contains("churn", "fraud", "credit-risk", "ctr");

        // the drifting model's alert fires, on the topic and on the console
        assertThat(alerts).as("alerts: " + alerts)
                .anySatisfy(a -> assertThat(a.get("model").asText() + " " + a.get("status").asText()).isEqualTo("churn FIRING"));
        assertThat(demo.output()).containsPattern("ALERT FIRING churn v\\d");
    }

    @Test
    void ctrlCStopsTheDemoCleanlyWithExitCode0() throws Exception {
        JarProcess demo = JarProcess.start(work, "demo-ctrl-c.log", "demo", "--kafka-port", "0", "--http-port", "0");
        Path dataDir = Path.of(demo.awaitOutput(KAFKA, Duration.ofSeconds(90)).group(2));
        assertThat(demo.stopWith("INT", Duration.ofSeconds(90))).as("exit code after Ctrl-C (SIGINT)\n" + demo.tail()).isZero();
        assertThat(demo.output()).contains("losswatch demo stopped.").contains("embedded Kafka: stopped");
        assertThat(dataDir).as("the temporary data directory is deleted").doesNotExist();
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double meanLoss(List<JsonNode> windows, String model, long from, long to) {
        return windows.stream()
                .filter(w -> w.get("model").asText().equals(model))
                .filter(w -> w.get("window_start").asLong() >= from && w.get("window_start").asLong() < to)
                .mapToDouble(w -> w.get("mean_loss").asDouble()).average()
                .orElseThrow(() -> new AssertionError("no " + model + " windows in [" + from + ", " + to + "): " + windows));
    }
}
