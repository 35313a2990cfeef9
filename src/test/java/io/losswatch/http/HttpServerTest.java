package io.losswatch.http;

import static io.losswatch.http.Fixtures.T0;
import static io.losswatch.http.Fixtures.alert;
import static io.losswatch.http.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.topology.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The routes over real HTTP, on a history fed by hand: no Kafka. */
class HttpServerTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final AtomicReference<KafkaStreams.State> STATE = new AtomicReference<>(KafkaStreams.State.CREATED);
    private static MetricsHistory history;
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 100, 10, Duration.ofSeconds(2));
        history = MetricsHistory.of(settings);
        metrics = new LosswatchMetrics(history);
        for (int minute = 0; minute < 5; minute++) {
            history.addWindow(window("churn", "v7", minute, 0.2 + 0.1 * minute, 100 + minute));
            history.addWindow(window("fraud detector/eu", "", minute, 0.05, 10));
        }
        history.addWindow(window("churn", "v8", 4, null, 0));
        history.addAlert(alert("churn", "v7", "FIRING", 3, 0.5));
        history.addAlert(alert("fraud detector/eu", "", "FIRING", 1, 0.9));
        history.addAlert(alert("fraud detector/eu", "", "RESOLVED", 2, 0.05));
        history.addDeadLetter("invalid_json");
        metrics.deadLetter("invalid_json");
        metrics.inputRecord("predictions");
        metrics.inputSkipped("predictions", "kserve_request");
        metrics.lossComputed("churn", "log_loss");
        metrics.unlabelled("churn");
        metrics.windowFinal(window("churn", "v7", 0, 0.2, 100));
        server = new HttpServer(settings, history, metrics, STATE::get, () -> true);
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void modelsListsEveryModelAndVersionWithItsLatestWindow() throws Exception {
        HttpResponse<String> r = get("/api/models");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode models = json(r);
        assertThat(models).hasSize(2);
        JsonNode churn = models.get(0);
        assertThat(churn.get("model").asText()).isEqualTo("churn");
        assertThat(churn.get("firing").asBoolean()).isTrue();
        assertThat(churn.get("versions")).extracting(v -> v.get("model_version").asText()).containsExactly("v7", "v8");
        JsonNode v7 = churn.get("versions").get(0);
        assertThat(v7.get("windows").asInt()).isEqualTo(5);
        assertThat(v7.get("latest").get("window_start").asLong()).isEqualTo(T0 + 4 * Fixtures.MINUTE);
        assertThat(v7.get("latest").get("final").asBoolean()).isTrue();
        assertThat(models.get(1).get("firing").asBoolean()).isFalse();
    }

    @Test
    void metricsOfAModelAreItsFinalWindowsOldestFirstWithTheContractFields() throws Exception {
        HttpResponse<String> r = get("/api/models/churn/metrics?from=" + (T0 + 3 * Fixtures.MINUTE) + "&to=" + (T0 + 4 * Fixtures.MINUTE));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode windows = json(r);
        assertThat(windows).extracting(w -> w.get("model_version").asText() + "@" + w.get("window_start").asLong())
                .containsExactly("v7@" + (T0 + 3 * Fixtures.MINUTE), "v7@" + (T0 + 4 * Fixtures.MINUTE),
                        "v8@" + (T0 + 4 * Fixtures.MINUTE));
        JsonNode w = windows.get(0);
        for (String field : new String[] {"model", "model_version", "loss_function", "window_start", "window_end",
            "count", "mean_loss", "min_loss", "max_loss", "stddev_loss", "unlabelled", "final"}) {
            assertThat(w.has(field)).as(field).isTrue();
        }
        assertThat(w.get("mean_loss").asDouble()).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(windows.get(2).get("mean_loss").isNull()).isTrue();
        assertThat(json(get("/api/models/churn/metrics?version=v8"))).hasSize(1);
        assertThat(json(get("/api/models/churn/metrics"))).hasSize(6);
    }

    @Test
    void modelNamesAreUrlEncodedPathSegments() throws Exception {
        HttpResponse<String> r = get("/api/models/fraud%20detector%2Feu/metrics");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r)).hasSize(5);
    }

    @Test
    void unknownModelIs404WithAJsonError() throws Exception {
        HttpResponse<String> r = get("/api/models/nope/metrics");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(r).get("error").asText()).isEqualTo("unknown model 'nope'");
        assertThat(json(r).get("status").asInt()).isEqualTo(404);
        assertThat(get("/api/models/churn/metrics?version=v1").statusCode()).isEqualTo(404);
    }

    @Test
    void badQueryParametersAre400WithAJsonError() throws Exception {
        for (String query : new String[] {"from=yesterday", "to=1.5", "from=10&to=5", "from="}) {
            HttpResponse<String> r = get("/api/models/churn/metrics?" + query);
            if (query.equals("from=")) {
                assertThat(r.statusCode()).as(query).isEqualTo(200); // empty means not given
                continue;
            }
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertThat(json(r).get("error").asText()).as(query).isNotBlank();
        }
        assertThat(get("/api/alerts?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/overview?range=soon").statusCode()).isEqualTo(400);
    }

    @Test
    void alertsAreNewestFirst() throws Exception {
        JsonNode alerts = json(get("/api/alerts"));
        assertThat(alerts).extracting(a -> a.get("model").asText() + ":" + a.get("status").asText())
                .containsExactly("churn:FIRING", "fraud detector/eu:RESOLVED", "fraud detector/eu:FIRING");
        assertThat(alerts.get(0).get("rule").asText()).isEqualTo("relative_to_baseline");
        assertThat(json(get("/api/alerts?limit=1"))).hasSize(1);
        assertThat(json(get("/api/alerts?model=churn"))).hasSize(1);
    }

    @Test
    void prometheusMetricsCarryTheContractSeries() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        assertThat(r.body())
                .contains("losswatch_window_mean_loss{model=\"churn\",model_version=\"v7\"} 0.6")
                .contains("losswatch_window_mean_loss{model=\"churn\",model_version=\"v8\"} NaN")
                .contains("losswatch_alert_firing{model=\"churn\"} 1.0")
                .contains("losswatch_alert_firing{model=\"fraud detector/eu\"} 0.0")
                .contains("losswatch_dlq_records_total{reason=\"invalid_json\"} 1.0")
                .contains("losswatch_dlq_records_total{reason=\"unmatched_label\"} 0.0")
                .contains("losswatch_events_processed_total{topic=\"predictions\"} 1.0")
                .contains("losswatch_input_skipped_total{reason=\"kserve_request\",topic=\"predictions\"} 1.0")
                .contains("losswatch_losses_computed_total{loss_function=\"log_loss\",model=\"churn\"} 1.0")
                .contains("losswatch_predictions_unlabelled_total{model=\"churn\"} 1.0")
                .contains("losswatch_windows_final_total{model=\"churn\"} 1.0")
                .contains("jvm_memory_used_bytes")
                .contains("process_uptime_seconds");
    }

    @Test
    void readyOnlyWhileStreamsRunningLiveUnlessFailed() throws Exception {
        STATE.set(KafkaStreams.State.REBALANCING);
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
        assertThat(json(get("/health/ready")).get("streams_state").asText()).isEqualTo("REBALANCING");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        STATE.set(KafkaStreams.State.RUNNING);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(json(get("/health/ready")).get("status").asText()).isEqualTo("UP");
        STATE.set(KafkaStreams.State.ERROR);
        assertThat(get("/health/live").statusCode()).isEqualTo(503);
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
        STATE.set(KafkaStreams.State.CREATED);
    }

    @Test
    void dashboardLoadsItsChartLibraryFromTheApp() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).doesNotContain("{{").doesNotContain("http://").doesNotContain("https://");
        String js = "/webjars/uplot/" + HttpServer.webjarVersion("uplot") + "/dist/uPlot.iife.min.js";
        assertThat(page.body()).contains(js);
        for (String asset : new String[] {js, "/assets/app.js", "/assets/style.css",
            js.replace("uPlot.iife.min.js", "uPlot.min.css")}) {
            assertThat(get(asset).statusCode()).as(asset).isEqualTo(200);
        }
    }

    @Test
    void overviewHasWhatTheDashboardDraws() throws Exception {
        JsonNode o = json(get("/api/overview?range=PT2M"));
        assertThat(o.get("refresh_ms").asLong()).isEqualTo(2000);
        assertThat(o.get("latest_window_end").asLong()).isEqualTo(T0 + 5 * Fixtures.MINUTE);
        JsonNode churn = o.get("models").get(0);
        // two minutes back from the latest window end: windows starting at minute 3 and 4
        assertThat(churn.get("versions").get(0).get("windows")).hasSize(2);
        assertThat(churn.get("alerts")).hasSize(1);
        assertThat(o.get("dead_letters").get("invalid_json").asLong()).isEqualTo(1);
        assertThat(o.get("recent_alerts")).hasSize(3);
        assertThat(json(get("/api/overview?range=all")).get("models").get(0).get("versions").get(0).get("windows")).hasSize(5);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }
}
