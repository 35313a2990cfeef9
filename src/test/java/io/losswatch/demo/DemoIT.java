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
 * the settings it changes first, then the dashboard's URL and the broker's address; a consumer of that
 * broker sees final windows for every model, the drift and its FIRING alert, and the malformed records in
 * the dead-letter topic, and the dashboard's API and /metrics show them too; the late-labelled model's
 * covariate shift fires a label-free alert (CONTRACT §9) before any realized window of the shifted period
 * exists, and its realized windows later show the rise; then it stops by itself, cleanly, and leaves
 * nothing behind.
 */
class DemoIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DASHBOARD = Pattern.compile("Dashboard +(http://localhost:\\d+/)");
    private static final Pattern KAFKA = Pattern.compile("Kafka +(localhost:\\d+) +\\(embedded, KRaft; data in (\\S+),");
    private static final String LATE = "chargeback";
    /** The late-labelled model's timing in the run below: labels 15-20 s late, more hard cases from 50 s. */
    private static final long SHIFT_START_MS = 50_000;
    private static final long WINDOW_MS = 5_000;

    @TempDir
    Path work;

    @Test
    void demoShowsWindowsDriftAndDeadLettersThenStopsCleanly() throws Exception {
        JarProcess demo = JarProcess.start(work, "demo.log", "demo", "--kafka-port", "0", "--http-port", "0", "--window", "5s",
                "--rate", "80", "--label-delay", "2s", "--drift-start", "30s", "--drift-ramp", "0s",
                "--drift-size", "1.0", "--malformed-share", "0.03",
                "--late-label-delay-min", "15s", "--late-label-delay-max", "20s", "--shift-start", "50s",
                "--shift-ramp", "0s", "--shift-size", "0.3", "--min-labelled", "200", "--duration", "105s");
        Matcher kafka = demo.awaitOutput(KAFKA, Duration.ofSeconds(90));
        String bootstrap = kafka.group(1);
        Path dataDir = Path.of(kafka.group(2));
        assertThat(dataDir).exists();
        String dashboard = demo.awaitOutput(DASHBOARD, Duration.ofSeconds(5)).group(1);
        assertThat(demo.output()).contains("losswatch demo is running", "Topics", "churn", "drifting to",
                LATE + " ", "labels 15s to 20s later", "(more hard cases)");
        // first of all, the settings it changes from the defaults, one line each
        String head = demo.output().substring(0, demo.output().indexOf("Starting an embedded Kafka broker"));
        assertThat(head).contains("`losswatch run` uses the defaults in config/application.properties")
                .containsPattern("(?m)^  losswatch\\.window\\.size=PT5S +default PT1M ")
                .containsPattern("(?m)^  losswatch\\.window\\.grace=PT1S +default PT10S ")
                .containsPattern("(?m)^  losswatch\\.join\\.window=PT25S +default PT1H ")
                .containsPattern("(?m)^  losswatch\\.alert\\.warmup\\.windows=5 +default 8 ")
                .containsPattern("(?m)^  losswatch\\.estimate\\.min\\.labelled=200 +default 1000 ")
                .containsPattern("(?m)^  losswatch\\.model\\.chargeback\\.alert\\.warmup\\.windows=2 +default 8 ");
        HttpClient http = HttpClient.newHttpClient();
        assertThat(get(http, dashboard).statusCode()).as("the dashboard").isEqualTo(200);

        // read what it publishes, as the user's own tools would, until it stops
        List<JsonNode> windows = new ArrayList<>();
        List<JsonNode> alerts = new ArrayList<>();
        List<JsonNode> estimates = new ArrayList<>();
        long lateStart = Long.MAX_VALUE;
        // at the late model's first label-free FIRING: the alert and the realized windows of it seen by then
        JsonNode labelFreeFiring = null;
        List<JsonNode> realizedAtFiring = null;
        long firingSeenNanos = 0;
        long shiftedRealizedSeenNanos = 0;
        Map<String, Integer> deadLetters = new TreeMap<>();
        String metricsPage = null;
        String modelsPage = null;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicContents.consumer(bootstrap)) {
            readFromTheBeginning(consumer, "model-metrics", "model-alerts", "losswatch-dlq", "prediction-metrics",
                    "predictions");
            while (demo.isAlive()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    switch (r.topic()) {
                        case "model-metrics" -> {
                            JsonNode w = JSON.readTree(r.value());
                            windows.add(w);
                            if (shiftedRealizedSeenNanos == 0 && lateStart != Long.MAX_VALUE && isLate(w)
                                    && w.get("window_end").asLong() > lateStart + SHIFT_START_MS) {
                                shiftedRealizedSeenNanos = System.nanoTime();
                            }
                        }
                        case "model-alerts" -> {
                            JsonNode a = JSON.readTree(r.value());
                            alerts.add(a);
                            if (labelFreeFiring == null && isLate(a) && a.get("status").asText().equals("FIRING")
                                    && List.of("estimated_loss", "prediction_drift").contains(a.get("rule").asText())) {
                                labelFreeFiring = a;
                                realizedAtFiring = windows.stream().filter(DemoIT::isLate).toList();
                                firingSeenNanos = System.nanoTime();
                            }
                        }
                        case "prediction-metrics" -> estimates.add(JSON.readTree(r.value()));
                        // the late model's first prediction is due when its traffic starts, exactly
                        case "predictions" -> {
                            String key = new String(r.key(), StandardCharsets.UTF_8);
                            if (key.startsWith(LATE + "-")) {
                                lateStart = Math.min(lateStart, r.timestamp());
                            }
                        }
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

        // the late-labelled model: its label-free windows, printed with the estimate before the labels
        long shift = lateStart + SHIFT_START_MS;
        assertThat(estimates).filteredOn(DemoIT::isLate).isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("final").asBoolean()).isTrue());
        assertThat(demo.output()).containsPattern(LATE + " +v\\d +window \\d\\d:\\d\\d:\\d\\d-\\d\\d:\\d\\d:\\d\\d  before"
                + " labels: estimated log_loss \\d\\.\\d{3} \\[\\d\\.\\d{3}, \\d\\.\\d{3}\\]  psi \\d+\\.\\d\\d  n=\\d+, 0 labelled");
        // a label-free alert fired on windows after the shift, within a few windows of it ...
        assertThat(labelFreeFiring).as("a label-free FIRING for %s; alerts: %s", LATE, alerts).isNotNull();
        long firedStart = labelFreeFiring.get("window_start").asLong();
        assertThat(labelFreeFiring.get("window_end").asLong()).as("fired on a shifted window").isGreaterThan(shift);
        assertThat(firedStart - shift).as("detection delay").isLessThan(4 * WINDOW_MS);
        // ... before any realized window of the shifted period existed ...
        assertThat(realizedAtFiring).as("realized %s windows when %s fired", LATE, labelFreeFiring)
                .allSatisfy(w -> assertThat(w.get("window_end").asLong()).isLessThanOrEqualTo(shift));
        // ... and before any of the judged windows' labels had come
        assertThat(estimates).filteredOn(e -> isLate(e) && e.get("window_start").asLong() > firedStart - 2 * WINDOW_MS
                        && e.get("window_start").asLong() <= firedStart).isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("labelled").asLong()).isZero());
        assertThat(alerts).as("the estimated_loss rule fires").anySatisfy(a -> assertThat(
                a.get("model").asText() + " " + a.get("status").asText() + " " + a.get("rule").asText())
                .isEqualTo(LATE + " FIRING estimated_loss"));
        // on the console too
        assertThat(demo.output()).containsPattern("ALERT FIRING " + LATE + " v\\d (estimated_loss|prediction_drift): ");
        // the realized windows that came later show the rise the estimate saw
        assertThat(shiftedRealizedSeenNanos).as("a realized %s window of the shifted period", LATE).isPositive();
        assertThat(shiftedRealizedSeenNanos - firingSeenNanos).as("realized after the alert").isPositive();
        double unshifted = meanLoss(windows, LATE, lateStart, shift - 2 * WINDOW_MS);
        double shifted = meanLoss(windows, LATE, firedStart - WINDOW_MS, Long.MAX_VALUE);
        assertThat(shifted - unshifted).as("%s realized before %.3f, after %.3f", LATE, unshifted, shifted)
                .isGreaterThan(0.1);
        System.out.printf("DemoIT: %s shifted at %d; label-free FIRING (%s) for window %d-%d seen %.1f s before the"
                        + " first realized window of the shifted period; realized loss %.3f -> %.3f%n", LATE, shift,
                labelFreeFiring.get("rule").asText(), firedStart, labelFreeFiring.get("window_end").asLong(),
                (shiftedRealizedSeenNanos - firingSeenNanos) / 1e9, unshifted, shifted);
    }

    private static boolean isLate(JsonNode record) {
        return record.get("model").asText().equals(LATE);
    }

    @Test
    void ctrlCStopsTheDemoCleanlyWithExitCode0() throws Exception {
        JarProcess demo = JarProcess.start(work, "demo-ctrl-c.log", "demo", "--kafka-port", "0", "--http-port", "0");
        Path dataDir = Path.of(demo.awaitOutput(KAFKA, Duration.ofSeconds(90)).group(2));
        assertThat(demo.stopWith("INT", Duration.ofSeconds(90))).as("exit code after Ctrl-C (SIGINT)\n" + demo.tail()).isZero();
        assertThat(demo.output()).contains("losswatch demo stopped.").contains("embedded Kafka: stopped");
        assertThat(dataDir).as("the temporary data directory is deleted").doesNotExist();
    }

    /**
     * demo --format kserve|nested: the generator sends the shape, the processor reads it with the settings the
     * demo prints first, and every model's windows come out with the version the mapping reads.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"kserve", "nested"})
    void theDemoSendsAShapeThatThePrintedSettingsRead(String format) throws Exception {
        JarProcess demo = JarProcess.start(work, "demo-" + format + ".log", "demo", "--format", format, "--kafka-port", "0",
                "--http-port", "0", "--window", "5s", "--rate", "80", "--label-delay", "2s", "--malformed-share", "0.02",
                "--late-label-delay-min", "5s", "--late-label-delay-max", "8s", "--duration", "40s");
        String bootstrap = demo.awaitOutput(KAFKA, Duration.ofSeconds(90)).group(1);
        String dashboard = demo.awaitOutput(DASHBOARD, Duration.ofSeconds(5)).group(1);
        String head = demo.output().substring(0, demo.output().indexOf("Starting an embedded Kafka broker"));
        for (String line : io.losswatch.generator.TrafficGenerator.settingsFor(format)) {
            assertThat(head).containsPattern("(?m)^  " + Pattern.quote(line) + " ");
        }
        HttpClient http = HttpClient.newHttpClient();
        List<JsonNode> windows = new ArrayList<>();
        int deadLetters = 0;
        long predictions = 0;
        String metricsPage = null;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicContents.consumer(bootstrap)) {
            readFromTheBeginning(consumer, "model-metrics", "losswatch-dlq", "predictions");
            while (demo.isAlive()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    switch (r.topic()) {
                        case "model-metrics" -> windows.add(JSON.readTree(r.value()));
                        case "losswatch-dlq" -> deadLetters++;
                        default -> {
                            // a KServe request is not a prediction: count the responses only
                            var type = r.headers().lastHeader("ce_type");
                            if (type == null || !new String(type.value(), StandardCharsets.UTF_8).endsWith(".request")) {
                                predictions++;
                            }
                        }
                    }
                }
                if (!windows.isEmpty()) {
                    try {
                        metricsPage = get(http, dashboard + "metrics").body();
                    } catch (java.io.IOException stopping) {
                        // the demo is stopping
                    }
                }
            }
        }
        assertThat(demo.exitCode()).as(demo.tail()).contains(0);
        assertThat(windows).as("final windows").isNotEmpty();
        // every window of a model has the one version the mapping reads
        Map<String, java.util.Set<String>> versions = new TreeMap<>();
        windows.forEach(w -> versions.computeIfAbsent(w.get("model").asText(), m -> new java.util.TreeSet<>())
                .add(w.get("model_version").asText()));
        assertThat(versions).containsOnlyKeys("churn", "fraud", "credit-risk", "ctr", LATE)
                .allSatisfy((model, seen) -> assertThat(seen).as(model).singleElement(
                        org.assertj.core.api.InstanceOfAssertFactories.STRING).matches("v\\d"));
        // the records on the predictions topic are the shape's; only the malformed ones are dead-lettered
        assertThat(deadLetters).as("dead letters of %d prediction records", predictions)
                .isLessThan((int) Math.max(10, predictions * 0.05));
        if (format.equals("kserve")) {
            assertThat(metricsPage).as("/metrics while running").isNotNull()
                    .containsPattern("losswatch_input_skipped_total\\{[^}]*reason=\"kserve_request\"[^}]*} [1-9]");
        }
    }

    private static void readFromTheBeginning(KafkaConsumer<byte[], byte[]> consumer, String... topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
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
