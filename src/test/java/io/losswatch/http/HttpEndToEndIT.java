package io.losswatch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.runtime.LosswatchApplication;
import io.losswatch.topology.Json;
import io.losswatch.topology.PredictionMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP side against the real application on an in-process broker: two losswatch instances share
 * the work (each processes only its own partitions), yet each one's API, /metrics gauges and
 * dashboard show every model's complete history. The window means are checked against losses
 * computed here, independently. The dashboard is loaded in a real headless Chromium.
 *
 * <p>The alert records are written here by hand, standing in for the alert step until it lands;
 * the HTTP side only reads the alerts topic, so it works the same before and after. So are the
 * prediction-metrics records (CONTRACT §9) of "early-bird", a model with no final window yet;
 * "percent-model" sends only predictions the intake refuses, so it is known from dead letters alone.
 */
class HttpEndToEndIT {
    private static final long T0 = 1_764_000_000_000L; // a whole minute
    private static final long MINUTE = 60_000L;
    private static final int MINUTES = 12;
    private static final int PER_WINDOW = 20;
    private static final List<String[]> SERIES = List.of(
            new String[] {"churn", "v7"}, new String[] {"churn", "v8"}, new String[] {"fraud-eu", ""},
            new String[] {"ranker", ""});
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static InProcessBroker broker;
    private static final List<LosswatchApplication> apps = new ArrayList<>();
    private static final List<Path> stateDirs = new ArrayList<>();
    private static final List<String> bases = new ArrayList<>();
    /** "model/version" → expected mean loss per minute, computed here. */
    private static final Map<String, double[]> expected = new TreeMap<>();
    private static int inputRecords;

    @BeforeAll
    static void start() throws Exception {
        broker = InProcessBroker.start();
        for (int i = 0; i < 2; i++) {
            Path state = Files.createTempDirectory("losswatch-http-it");
            stateDirs.add(state);
            LosswatchApplication app = LosswatchApplication.start(config(state));
            apps.add(app);
            bases.add("http://127.0.0.1:" + app.httpPort());
        }
        await(Duration.ofSeconds(90), "both instances running with tasks of their own", () -> apps.stream().allMatch(
                a -> a.streams().state() == KafkaStreams.State.RUNNING && activeTasks(a.streams()) > 0));
        produceTraffic();
        await(Duration.ofSeconds(120), "every instance to show every window, alert and dead letter",
                () -> bases.stream().allMatch(HttpEndToEndIT::complete));
    }

    @AfterAll
    static void stop() throws Exception {
        for (LosswatchApplication app : apps) {
            app.close();
        }
        if (broker != null) {
            broker.close();
        }
        for (Path dir : stateDirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void everyInstanceServesEveryModelsCompleteHistory() throws Exception {
        for (String base : bases) {
            JsonNode models = json(get(base, "/api/models"));
            assertThat(models).extracting(m -> m.get("model").asText())
                    .containsExactly("churn", "early-bird", "fraud-eu", "percent-model", "ranker");
            assertThat(models.get(0).get("versions")).extracting(v -> v.get("model_version").asText())
                    .containsExactly("v7", "v8");
            for (String[] s : SERIES) {
                JsonNode windows = json(get(base, "/api/models/" + s[0] + "/metrics?version=" + s[1]));
                assertThat(windows).as(base + " " + s[0] + "/" + s[1]).hasSize(MINUTES);
                double[] means = expected.get(s[0] + "/" + s[1]);
                for (int k = 0; k < MINUTES; k++) {
                    JsonNode w = windows.get(k);
                    assertThat(w.get("window_start").asLong()).isEqualTo(T0 + k * MINUTE);
                    assertThat(w.get("window_end").asLong()).isEqualTo(T0 + (k + 1) * MINUTE);
                    assertThat(w.get("count").asLong()).isEqualTo(PER_WINDOW);
                    assertThat(w.get("final").asBoolean()).isTrue();
                    assertThat(w.get("loss_function").asText()).isEqualTo("log_loss");
                    assertThat(w.get("mean_loss").asDouble()).as("mean of %s/%s minute %d", s[0], s[1], k)
                            .isCloseTo(means[k], within(1e-12));
                }
            }
            // from/to on window_start, inclusive
            JsonNode range = json(get(base, "/api/models/ranker/metrics?from=" + (T0 + 2 * MINUTE) + "&to=" + (T0 + 4 * MINUTE)));
            assertThat(range).extracting(w -> w.get("window_start").asLong())
                    .containsExactly(T0 + 2 * MINUTE, T0 + 3 * MINUTE, T0 + 4 * MINUTE);
        }
        assertThat(get(bases.get(0), "/api/models/churn/metrics").body())
                .isEqualTo(get(bases.get(1), "/api/models/churn/metrics").body());

        // the work was shared: windows were made final by both instances, and each instance still
        // shows the windows the other one made
        Map<String, Double> finalsA = series(scrape(bases.get(0)), "losswatch_windows_final_total");
        Map<String, Double> finalsB = series(scrape(bases.get(1)), "losswatch_windows_final_total");
        System.out.println("windows made final by instance A: " + finalsA + ", by B: " + finalsB);
        assertThat(sum(finalsA) + sum(finalsB)).isGreaterThanOrEqualTo(MINUTES * SERIES.size());
        assertThat(sum(finalsA)).as("instance A made some windows final").isPositive();
        assertThat(sum(finalsB)).as("instance B made some windows final").isPositive();
    }

    @Test
    void modelsWithoutAFinalWindowAreServedFromPredictionMetricsAndDeadLetters() throws Exception {
        for (String base : bases) {
            JsonNode models = json(get(base, "/api/models"));
            JsonNode early = models.get(1);
            assertThat(early.get("model").asText()).isEqualTo("early-bird");
            assertThat(early.get("final_window_pending").asBoolean()).isTrue();
            assertThat(early.get("versions").get(0).get("prediction_windows").asInt()).isEqualTo(2);
            JsonNode percent = models.get(3);
            assertThat(percent.get("model").asText()).isEqualTo("percent-model");
            assertThat(percent.get("versions")).isEmpty();
            assertThat(percent.get("dead_letters").get("out_of_range").asLong()).isEqualTo(2);

            // final records only (the interim one is not served), oldest first, as written
            JsonNode records = json(get(base, "/api/models/early-bird/predictions"));
            assertThat(records).extracting(p -> p.get("window_start").asLong()).containsExactly(T0, T0 + MINUTE);
            assertThat(records.get(1).get("estimated_loss").asDouble()).isEqualTo(0.35);
            assertThat(records.get(1).get("psi").asDouble()).isEqualTo(0.12);
            assertThat(json(get(base, "/api/models/early-bird/metrics"))).isEmpty();

            String metrics = scrape(base);
            assertThat(series(metrics, "losswatch_window_estimated_loss")).containsEntry(
                    "{model=\"early-bird\",model_version=\"v1\"}", 0.35);
            assertThat(series(metrics, "losswatch_window_psi")).containsEntry(
                    "{model=\"early-bird\",model_version=\"v1\"}", 0.12);
        }
    }

    @Test
    void alertsAreReadFromTheAlertsTopicNewestFirst() throws Exception {
        for (String base : bases) {
            JsonNode alerts = json(get(base, "/api/alerts"));
            assertThat(alerts).extracting(a -> a.get("model").asText() + ":" + a.get("status").asText())
                    .containsExactly("churn:FIRING", "fraud-eu:RESOLVED", "fraud-eu:FIRING");
            assertThat(alerts.get(0).get("message").asText()).isNotBlank();
        }
    }

    @Test
    void prometheusMetricsHaveTheContractSeriesStreamsAndJvmMetrics() throws Exception {
        HttpResponse<String> r = get(bases.get(0), "/metrics");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        String a = r.body();
        String b = scrape(bases.get(1));
        for (String text : List.of(a, b)) {
            Map<String, Double> mean = series(text, "losswatch_window_mean_loss");
            assertThat(mean).hasSize(SERIES.size() + 1); // early-bird's: NaN until a final window
            assertThat(mean.get("{model=\"early-bird\",model_version=\"v1\"}")).isNaN();
            assertThat(mean.get("{model=\"churn\",model_version=\"v7\"}")).isCloseTo(expected.get("churn/v7")[MINUTES - 1], within(1e-12));
            assertThat(series(text, "losswatch_alert_firing")).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "{model=\"churn\"}", 1.0, "{model=\"early-bird\"}", 0.0, "{model=\"fraud-eu\"}", 0.0,
                    "{model=\"ranker\"}", 0.0));
        }
        Map<String, Double> dlq = add(series(a, "losswatch_dlq_records_total"), series(b, "losswatch_dlq_records_total"));
        // counters are per instance and count a replay again: at least what was sent
        assertThat(dlq.get("{reason=\"invalid_json\"}")).isGreaterThanOrEqualTo(3.0);
        assertThat(dlq.get("{reason=\"out_of_range\"}")).isGreaterThanOrEqualTo(4.0);
        assertThat(sum(add(series(a, "losswatch_events_processed_total"), series(b, "losswatch_events_processed_total"))))
                .isGreaterThanOrEqualTo(inputRecords);
        assertThat(sum(add(series(a, "losswatch_losses_computed_total"), series(b, "losswatch_losses_computed_total"))))
                .isGreaterThanOrEqualTo(MINUTES * PER_WINDOW * SERIES.size());
        assertThat(a).containsPattern("(?m)^kafka_stream_thread_\\w+\\{")
                .containsPattern("(?m)^kafka_consumer_\\w+\\{")
                .contains("jvm_memory_used_bytes").contains("jvm_gc_").contains("process_cpu_usage");
    }

    @Test
    void healthAndErrors() throws Exception {
        for (String base : bases) {
            assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(base, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(json(ready).get("streams_state").asText()).isEqualTo("RUNNING");
            HttpResponse<String> unknown = get(base, "/api/models/nope/metrics");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).get("error").asText()).contains("nope");
            HttpResponse<String> bad = get(base, "/api/models/churn/metrics?from=last+tuesday");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(json(bad).get("error").asText()).contains("from");
        }
    }

    @Test
    void dashboardDrawsEveryModelFromTheRealRun() throws Exception {
        String base = bases.get(1);
        try (Chromium browser = Browser.launch()) {
            browser.open(base + "/", 1400, 1000);
            browser.await(Duration.ofSeconds(30), "a drawn chart per model with windows or estimates", () -> {
                List<Map<String, Object>> cards = Browser.cards(browser);
                return cards.size() == 5 && cards.stream().filter(c -> ((Number) c.get("drawn")).intValue() > 500).count() == 4;
            });
            assertThat(Browser.cards(browser)).extracting(c -> c.get("name")) // firing first, then by name
                    .containsExactly("churn", "early-bird", "fraud-eu", "percent-model", "ranker");
            assertThat(Browser.cards(browser).get(0).get("legend")).asList()
                    .containsExactly("window start", "v7", "v7 threshold", "v7 baseline", "v7 fired", "v8");
            String text = (String) browser.evaluate("document.body.innerText");
            assertThat(text).contains("invalid_json").contains("out_of_range").contains("RESOLVED")
                    .contains("streams RUNNING").contains("mean " + num(expected.get("churn/v7")[MINUTES - 1]));
            Path shot = Browser.save(browser.screenshot(), "dashboard-real-run.png");
            System.out.println("dashboard screenshot: " + shot);
            Browser.assertNoOutsideRequests(browser, base);
            assertThat(browser.errors()).isEmpty();
        }
    }

    // ---- traffic ---------------------------------------------------------------------------------

    /** Probability the model gives the true class: churn v7 drifts from minute 7, fraud-eu has a bad spell. */
    private static double confidence(String model, String version, int minute, int i) {
        return switch (model + "/" + version) {
            case "churn/v7" -> 0.9 - Math.max(0, minute - 6) * 0.08 + 0.01 * (i % 5);
            case "churn/v8" -> 0.85 + 0.01 * (i % 5);
            case "fraud-eu/" -> (minute == 3 || minute == 4 ? 0.55 : 0.95) + 0.005 * (i % 3);
            default -> 0.8 + 0.02 * (i % 4);
        };
    }

    private static void produceTraffic() throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            // in event-time order across models: stream time is per partition, and models share partitions
            for (String[] s : SERIES) {
                expected.put(s[0] + "/" + s[1], new double[MINUTES]);
            }
            for (int k = 0; k < MINUTES; k++) {
                for (int i = 0; i < PER_WINDOW; i++) {
                    for (String[] s : SERIES) {
                        int label = i % 2 == 0 ? 1 : 0;
                        double q = confidence(s[0], s[1], k, i);
                        double prediction = label == 1 ? q : 1 - q;
                        double loss = label == 1 ? -Math.log(prediction) : -Math.log(1 - prediction);
                        expected.get(s[0] + "/" + s[1])[k] += loss / PER_WINDOW;
                        send(producer, "predictions", s[0], prediction(s[0], s[1], T0 + k * MINUTE + i * 2_000L, prediction, label));
                    }
                }
            }
            for (int i = 0; i < 3; i++) {
                send(producer, "predictions", "bad", "not json " + i);
            }
            for (int i = 0; i < 2; i++) {
                send(producer, "predictions", "churn", prediction("churn", "v7", T0 + 5 * MINUTE, 1.5, 1));
                send(producer, "predictions", "percent-model", prediction("percent-model", "", T0 + 5 * MINUTE, 85, 1));
            }
            // later events close the windows: stream time is per partition, so one per series
            for (String[] s : SERIES) {
                send(producer, "predictions", s[0], prediction(s[0], s[1], T0 + (MINUTES + 1) * MINUTE, 0.9, 1));
            }
            double[] fraud = expected.get("fraud-eu/");
            double fraudBaseline = (fraud[0] + fraud[1] + fraud[2]) / 3;
            send(producer, "model-alerts", "fraud-eu", alert("fraud-eu", "", "FIRING", 3, fraud[3], fraudBaseline));
            send(producer, "model-alerts", "fraud-eu", alert("fraud-eu", "", "RESOLVED", 5, fraud[5], fraudBaseline));
            double[] churn = expected.get("churn/v7");
            send(producer, "model-alerts", "churn", alert("churn", "v7", "FIRING", 9, churn[9], (churn[0] + churn[1] + churn[2]) / 3));
            send(producer, "prediction-metrics", "early-bird", predictionMetrics(0, 0.3, null, true));
            send(producer, "prediction-metrics", "early-bird", predictionMetrics(1, 0.35, 0.12, true));
            send(producer, "prediction-metrics", "early-bird", predictionMetrics(2, 9.0, 9.0, false)); // interim
            producer.flush();
        }
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, String value) {
        producer.send(new ProducerRecord<>(topic, key, value));
        if (topic.equals("predictions")) {
            inputRecords++;
        }
    }

    private static String prediction(String model, String version, long time, double prediction, int label) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("model", model);
        p.put("model_version", version);
        p.put("timestamp", time);
        p.put("prediction", prediction);
        p.put("label", label);
        return Json.MAPPER.writeValueAsString(p);
    }

    private static String predictionMetrics(int minute, double estimate, Double psi, boolean isFinal) throws IOException {
        long start = T0 + minute * MINUTE;
        return Json.MAPPER.writeValueAsString(new PredictionMetrics("early-bird", "v1", "log_loss", start, start + MINUTE,
                40, 0, 0.2, psi, estimate, estimate - 0.05, estimate + 0.05, 2000, isFinal));
    }

    private static String alert(String model, String version, String status, int minute, double mean, double baseline)
            throws IOException {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("model", model);
        a.put("model_version", version);
        a.put("status", status);
        a.put("rule", "relative_to_baseline");
        a.put("mean_loss", mean);
        a.put("baseline", baseline);
        a.put("threshold", baseline * 1.5);
        a.put("window_start", T0 + minute * MINUTE);
        a.put("window_end", T0 + (minute + 1) * MINUTE);
        a.put("message", model + " mean loss " + status.toLowerCase());
        return Json.MAPPER.writeValueAsString(a);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static LosswatchConfig config(Path stateDir) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", broker.bootstrapServers());
        p.setProperty("application.id", "losswatch-http-it");
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("num.stream.threads", "1");
        p.setProperty("losswatch.http.port", "0");
        p.setProperty("losswatch.http.refresh", "PT1S");
        p.setProperty("losswatch.join.window", "PT1M");
        p.setProperty("losswatch.join.grace", "PT0S");
        return LosswatchConfig.from(p);
    }

    private static int activeTasks(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    private static volatile String lastSeen = "nothing yet";

    private static boolean complete(String base) {
        try {
            lastSeen = base + ": models " + get(base, "/api/models").body() + " overview dead letters "
                    + json(get(base, "/api/overview?range=all")).get("dead_letters") + " alerts "
                    + json(get(base, "/api/alerts")).size();
            for (String[] s : SERIES) {
                HttpResponse<String> r = get(base, "/api/models/" + s[0] + "/metrics?version=" + s[1]);
                if (r.statusCode() != 200 || json(r).size() < MINUTES) {
                    return false;
                }
            }
            JsonNode overview = json(get(base, "/api/overview?range=all"));
            long deadLetters = 0;
            for (JsonNode n : overview.get("dead_letters")) {
                deadLetters += n.asLong();
            }
            HttpResponse<String> early = get(base, "/api/models/early-bird/predictions");
            return json(get(base, "/api/alerts")).size() == 3 && deadLetters == 7
                    && early.statusCode() == 200 && json(early).size() == 2;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; last seen: " + lastSeen);
            }
            Thread.sleep(250);
        }
    }

    private static HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape(String base) throws IOException, InterruptedException {
        return get(base, "/metrics").body();
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    /** The samples of one metric in Prometheus text: "{labels}" → value. */
    private static Map<String, Double> series(String exposition, String name) {
        Map<String, Double> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(exposition);
        while (m.find()) {
            out.put(m.group(1) == null ? "" : m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private static Map<String, Double> add(Map<String, Double> a, Map<String, Double> b) {
        Map<String, Double> out = new TreeMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Double::sum));
        return out;
    }

    private static double sum(Map<String, Double> m) {
        return m.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** As the dashboard prints a mean: four significant digits. */
    private static String num(double x) {
        return new java.math.BigDecimal(x).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
