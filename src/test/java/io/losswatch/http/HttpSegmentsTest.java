package io.losswatch.http;

import static io.losswatch.http.Fixtures.T0;
import static io.losswatch.http.Fixtures.alertJson;
import static io.losswatch.http.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.losswatch.event.Segment;
import io.losswatch.topology.Json;
import io.losswatch.topology.WindowMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segments (CONTRACT §11) over real HTTP, on a history fed by hand: the API, /metrics and the overview. */
class HttpSegmentsTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static MetricsHistory history;
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static String base;

    static WindowMetrics segmentWindow(String field, String value, int minute, Double mean, long count) {
        WindowMetrics w = window("churn", "v7", minute, mean, count);
        return new WindowMetrics(w.model(), w.modelVersion(), w.lossFunction(), w.windowStart(), w.windowEnd(), w.count(),
                w.meanLoss(), w.minLoss(), w.maxLoss(), w.stddevLoss(), w.unlabelled(), true, 0, 0, null, null, null, null,
                null, null, null, new Segment(field, value));
    }

    @BeforeAll
    static void start() {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 100, 10, Duration.ofSeconds(2));
        history = MetricsHistory.of(settings);
        metrics = new LosswatchMetrics(history);
        for (int minute = 0; minute < 3; minute++) {
            history.addWindow(window("churn", "v7", minute, 0.3, 300));
            history.addWindow(segmentWindow("country", "DE", minute, 0.9 + minute, 100));
            history.addWindow(segmentWindow("country", "FR", minute, 0.1, 150));
            history.addWindow(segmentWindow("country", "", minute, null, 0));
            history.addWindow(segmentWindow("device", "ios \"x\"", minute, 0.2, 50));
        }
        ObjectNode fired = alertJson("churn", "v7", "FIRING", 2, 2.9);
        fired.set("segment", Json.MAPPER.createObjectNode().put("country", "DE"));
        history.addAlert(AlertEntry.of(fired, 0).orElseThrow());
        server = new HttpServer(settings, history, metrics, () -> KafkaStreams.State.RUNNING, () -> true);
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void metricsOfOneSegmentAndOfTheWholeModel() throws Exception {
        JsonNode de = json(get("/api/models/churn/metrics?segment=country:DE"));
        assertThat(de).hasSize(3);
        assertThat(de).extracting(w -> w.get("mean_loss").asDouble()).containsExactly(0.9, 1.9, 2.9);
        assertThat(de.get(0).get("segment").toString()).isEqualTo("{\"country\":\"DE\"}");
        // the missing value is the segment ""
        JsonNode missing = json(get("/api/models/churn/metrics?segment=country:"));
        assertThat(missing).hasSize(3);
        assertThat(missing.get(0).get("count").asLong()).isZero();
        // without segment: the whole model's records only, as before, and no segment field in them
        JsonNode whole = json(get("/api/models/churn/metrics"));
        assertThat(whole).hasSize(3);
        assertThat(whole).allSatisfy(w -> assertThat(w.has("segment")).isFalse());
        assertThat(whole).extracting(w -> w.get("count").asLong()).containsExactly(300L, 300L, 300L);
        assertThat(get("/api/models/churn/metrics?segment=country:XX").statusCode()).isEqualTo(404);
        assertThat(json(get("/api/models/churn/metrics?segment=country")).get("error").asText())
                .startsWith("segment must be field:value");
        assertThat(get("/api/models/churn/predictions?segment=country:DE").statusCode()).isEqualTo(200);
    }

    @Test
    void prometheusGivesSegmentSeriesASegmentLabelOnly() throws Exception {
        String text = get("/metrics").body();
        List<String> samples = text.lines().filter(l -> l.startsWith("losswatch_window_mean_loss")).toList();
        assertThat(samples).containsExactly(
                "losswatch_window_mean_loss{model=\"churn\",model_version=\"v7\"} 0.3",
                "losswatch_window_mean_loss{model=\"churn\",model_version=\"v7\",segment=\"country=\"} NaN",
                "losswatch_window_mean_loss{model=\"churn\",model_version=\"v7\",segment=\"country=DE\"} 2.9",
                "losswatch_window_mean_loss{model=\"churn\",model_version=\"v7\",segment=\"country=FR\"} 0.1",
                "losswatch_window_mean_loss{model=\"churn\",model_version=\"v7\",segment=\"device=ios \\\"x\\\"\"} 0.2");
        assertThat(text.lines().filter(l -> l.equals("# TYPE losswatch_window_mean_loss gauge"))).hasSize(1);
        // a segment's alert makes the model's firing gauge 1
        assertThat(text).contains("losswatch_alert_firing{model=\"churn\"} 1");
    }

    @Test
    void promtoolAcceptsTheExposition(@TempDir Path dir) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool) || System.getenv("CI") != null, "promtool not installed");
        Path file = dir.resolve("metrics.txt");
        Files.writeString(file, get("/metrics").body());
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // promtool's lint complains of counters' names in Micrometer's own metrics, never of a parse error
        assertThat(out).doesNotContain("error while linting", "text format parsing error");
        assertThat(out.lines().filter(l -> l.contains("losswatch_window_mean_loss")).toList()).isEmpty();
    }

    @Test
    void overviewListsSegmentsWorstFirstWithTheirAlert() throws Exception {
        JsonNode v7 = json(get("/api/overview?range=all")).get("models").get(0).get("versions").get(0);
        JsonNode segments = v7.get("segments");
        assertThat(segments).extracting(s -> s.get("field").asText() + "=" + s.get("value").asText())
                .containsExactly("country=DE", "device=ios \"x\"", "country=FR", "country=");
        assertThat(segments.get(0).get("firing").asBoolean()).isTrue();
        assertThat(segments.get(0).get("firing_rules").get(0).asText()).isEqualTo("relative_to_baseline");
        assertThat(segments.get(0).get("latest").get("mean_loss").asDouble()).isEqualTo(2.9);
        assertThat(v7.get("firing").asBoolean()).as("the version's own rules").isFalse();
        JsonNode alerts = json(get("/api/alerts"));
        assertThat(alerts.get(0).get("segment").get("country").asText()).isEqualTo("DE");
        assertThat(alerts.get(0).get("window_start").asLong()).isEqualTo(T0 + 2 * Fixtures.MINUTE);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

}
