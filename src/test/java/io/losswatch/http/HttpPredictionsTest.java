package io.losswatch.http;

import static io.losswatch.http.Fixtures.MINUTE;
import static io.losswatch.http.Fixtures.T0;
import static io.losswatch.http.Fixtures.alert;
import static io.losswatch.http.Fixtures.predictions;
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
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CONTRACT §9 side of the routes, on a history fed by hand (no Kafka): the prediction-metrics
 * records, the models they make known before any final window, the §9 gauges and alerts of
 * several rules at once.
 */
class HttpPredictionsTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    /** churn v7's estimates and psi, minutes 0 to 4. */
    private static final double[] ESTIMATES = {0.2, 0.21, 0.22, 0.23, 0.24};
    private static final double[] PSI = {0.0, 0.02, 0.04, 0.06, 0.08};
    private static MetricsHistory history;
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 100, 10, Duration.ofSeconds(2));
        history = MetricsHistory.of(settings);
        metrics = new LosswatchMetrics(history);
        // churn v7: five windows estimated, the first three also realized (the labels of 3 and 4 are out)
        for (int minute = 0; minute < 5; minute++) {
            history.addPredictions(predictions("churn", "v7", minute, ESTIMATES[minute], PSI[minute]));
        }
        for (int minute = 0; minute < 3; minute++) {
            history.addWindow(window("churn", "v7", minute, 0.25, 100));
        }
        // churn v8: no estimate and no psi yet
        history.addPredictions(predictions("churn", "v8", 4, null, null));
        // fraud: known from prediction-metrics only
        history.addPredictions(predictions("fraud", "v1", 3, 0.5, 0.3));
        history.addPredictions(predictions("fraud", "v1", 4, 0.5, 0.3));
        // churn v7: two rules fire, one resolves; fraud's one rule fires and resolves
        history.addAlert(alert("churn", "v7", "FIRING", "relative_to_baseline", 2, 0.6));
        history.addAlert(AlertEntry.of(Fixtures.alertJson("churn", "v7", "FIRING", "prediction_drift", 3, 0)
                .putNull("mean_loss").put("psi", 0.31).put("threshold", 0.25), 0).orElseThrow());
        history.addAlert(alert("churn", "v7", "RESOLVED", "relative_to_baseline", 4, 0.3));
        history.addAlert(alert("fraud", "v1", "FIRING", "estimated_loss", 3, 0.5));
        history.addAlert(alert("fraud", "v1", "RESOLVED", "estimated_loss", 4, 0.3));
        // a model whose every record was refused
        history.addDeadLetter("out_of_range", "percent-model");
        server = new HttpServer(settings, history, metrics, () -> KafkaStreams.State.RUNNING, () -> true);
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void predictionsOfAModelAreItsFinalRecordsOldestFirstWithTheContractFields() throws Exception {
        HttpResponse<String> r = get("/api/models/churn/predictions?from=" + (T0 + 3 * MINUTE) + "&to=" + (T0 + 4 * MINUTE));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode records = json(r);
        assertThat(records).extracting(p -> p.get("model_version").asText() + "@" + (p.get("window_start").asLong() - T0) / MINUTE)
                .containsExactly("v7@3", "v7@4", "v8@4");
        JsonNode p = records.get(1);
        assertThat(fieldNames(p)).containsExactly("model", "model_version", "loss_function", "window_start", "window_end",
                "predictions", "labelled", "mean_prediction", "psi", "estimated_loss", "estimated_loss_low",
                "estimated_loss_high", "calibration_count", "final");
        assertThat(p.get("window_end").asLong()).isEqualTo(T0 + 5 * MINUTE);
        assertThat(p.get("predictions").asLong()).isEqualTo(100);
        assertThat(p.get("labelled").asLong()).isEqualTo(10);
        assertThat(p.get("psi").asDouble()).isEqualTo(0.08);
        assertThat(p.get("estimated_loss").asDouble()).isEqualTo(0.24);
        assertThat(p.get("estimated_loss_low").asDouble()).isEqualTo(0.24 * 0.9);
        assertThat(p.get("estimated_loss_high").asDouble()).isEqualTo(0.24 * 1.1);
        assertThat(p.get("calibration_count").asLong()).isEqualTo(5000);
        assertThat(p.get("final").asBoolean()).isTrue();
        assertThat(records.get(2).get("estimated_loss").isNull()).isTrue();
        assertThat(records.get(2).get("psi").isNull()).isTrue();

        assertThat(json(get("/api/models/churn/predictions"))).hasSize(6);
        assertThat(json(get("/api/models/churn/predictions?version=v7"))).extracting(x -> x.get("estimated_loss").asDouble())
                .containsExactly(0.2, 0.21, 0.22, 0.23, 0.24);
        assertThat(json(get("/api/models/churn/predictions?from=" + (T0 + 4 * MINUTE) + "&version=v8"))).hasSize(1);
    }

    @Test
    void aModelKnownOnlyFromPredictionMetricsOrDeadLettersIsKnown() throws Exception {
        assertThat(json(get("/api/models/fraud/predictions"))).hasSize(2);
        HttpResponse<String> metrics = get("/api/models/fraud/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).isEqualTo("[]");
        assertThat(get("/api/models/percent-model/predictions").body()).isEqualTo("[]");
        assertThat(get("/api/models/percent-model/metrics").body()).isEqualTo("[]");

        HttpResponse<String> unknown = get("/api/models/nope/predictions");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(unknown).get("error").asText()).isEqualTo("unknown model 'nope'");
        assertThat(json(unknown).get("status").asInt()).isEqualTo(404);
        assertThat(json(get("/api/models/churn/predictions?version=v1")).get("error").asText())
                .isEqualTo("unknown version 'v1' of model 'churn'");
        assertThat(get("/api/models/churn/predictions?from=yesterday").statusCode()).isEqualTo(400);
        assertThat(get("/api/models/churn/predictions?from=10&to=5").statusCode()).isEqualTo(400);
    }

    @Test
    void modelsListsEveryModelSeenWithWhatIsPending() throws Exception {
        JsonNode models = json(get("/api/models"));
        assertThat(models).extracting(m -> m.get("model").asText()).containsExactly("churn", "fraud", "percent-model");
        JsonNode churn = models.get(0);
        // the §8 fields as before, the new ones beside them
        assertThat(fieldNames(churn)).containsExactly("model", "firing", "versions", "final_window_pending", "dead_letters");
        assertThat(churn.get("firing").asBoolean()).isTrue();
        assertThat(churn.get("final_window_pending").asBoolean()).isFalse();
        JsonNode v7 = churn.get("versions").get(0);
        assertThat(fieldNames(v7)).containsExactly("model_version", "windows", "first_window_start", "latest", "firing",
                "last_alert", "firing_rules", "final_window_pending", "prediction_windows", "latest_predictions",
                "windows_awaiting_labels", "segments");
        assertThat(v7.get("segments")).isEmpty();
        assertThat(v7.get("windows").asInt()).isEqualTo(3);
        assertThat(v7.get("latest").get("window_start").asLong()).isEqualTo(T0 + 2 * MINUTE);
        assertThat(v7.get("firing_rules")).extracting(JsonNode::asText).containsExactly("prediction_drift");
        assertThat(v7.get("last_alert").get("rule").asText()).isEqualTo("relative_to_baseline");
        assertThat(v7.get("prediction_windows").asInt()).isEqualTo(5);
        assertThat(v7.get("windows_awaiting_labels").asInt()).isEqualTo(2);
        assertThat(v7.get("latest_predictions").get("estimated_loss").asDouble()).isEqualTo(0.24);
        JsonNode v8 = churn.get("versions").get(1);
        assertThat(v8.get("final_window_pending").asBoolean()).isTrue();
        assertThat(v8.get("latest").isNull()).isTrue();
        assertThat(v8.get("windows").asInt()).isZero();

        JsonNode fraud = models.get(1);
        assertThat(fraud.get("firing").asBoolean()).isFalse();
        assertThat(fraud.get("final_window_pending").asBoolean()).isTrue();
        assertThat(fraud.get("versions").get(0).get("model_version").asText()).isEqualTo("v1");
        assertThat(fraud.get("versions").get(0).get("windows_awaiting_labels").asInt()).isEqualTo(2);

        JsonNode percent = models.get(2);
        assertThat(percent.get("versions")).isEmpty();
        assertThat(percent.get("final_window_pending").asBoolean()).isTrue();
        assertThat(percent.get("dead_letters").get("out_of_range").asLong()).isEqualTo(1);
    }

    @Test
    void prometheusHasTheEstimateAndPsiOfTheLatestRecordAndFiringWhileAnyRuleFires() throws Exception {
        String text = get("/metrics").body();
        assertThat(samples(text, "losswatch_window_estimated_loss")).containsExactly(
                "losswatch_window_estimated_loss{model=\"churn\",model_version=\"v7\"} 0.24",
                "losswatch_window_estimated_loss{model=\"fraud\",model_version=\"v1\"} 0.5");
        assertThat(samples(text, "losswatch_window_psi")).containsExactly(
                "losswatch_window_psi{model=\"churn\",model_version=\"v7\"} 0.08",
                "losswatch_window_psi{model=\"fraud\",model_version=\"v1\"} 0.3");
        // churn: relative_to_baseline resolved, prediction_drift still firing; fraud: resolved
        assertThat(samples(text, "losswatch_alert_firing")).containsExactly(
                "losswatch_alert_firing{model=\"churn\"} 1.0",
                "losswatch_alert_firing{model=\"fraud\"} 0.0");
        assertThat(text).contains("# TYPE losswatch_window_estimated_loss gauge")
                .contains("# TYPE losswatch_window_psi gauge");
    }

    @Test
    void aGaugeSampleComesAndGoesWithItsValue() {
        MetricsHistory h = new MetricsHistory(10, 10);
        try (LosswatchMetrics m = new LosswatchMetrics(h)) {
            assertThat(samples(m.scrape(), "losswatch_window_psi")).isEmpty();
            h.addPredictions(predictions("churn", "v7", 0, 0.3, null));
            assertThat(samples(m.scrape(), "losswatch_window_psi")).isEmpty();
            assertThat(samples(m.scrape(), "losswatch_window_estimated_loss"))
                    .containsExactly("losswatch_window_estimated_loss{model=\"churn\",model_version=\"v7\"} 0.3");
            h.addPredictions(predictions("churn", "v7", 1, 0.35, 0.12));
            assertThat(samples(m.scrape(), "losswatch_window_psi"))
                    .containsExactly("losswatch_window_psi{model=\"churn\",model_version=\"v7\"} 0.12");
            h.addPredictions(predictions("churn", "v7", 2, null, null));
            assertThat(samples(m.scrape(), "losswatch_window_psi")).isEmpty();
            assertThat(samples(m.scrape(), "losswatch_window_estimated_loss")).isEmpty();
            // the §8 gauge is there for a version known from prediction-metrics, NaN until a final window
            assertThat(samples(m.scrape(), "losswatch_window_mean_loss"))
                    .containsExactly("losswatch_window_mean_loss{model=\"churn\",model_version=\"v7\"} NaN");
        }
    }

    @Test
    void overviewCarriesEstimatesAndPendingState() throws Exception {
        JsonNode o = json(get("/api/overview?range=all"));
        // the prediction-metrics run ahead of the final windows: "now" is the latest of either
        assertThat(o.get("latest_window_end").asLong()).isEqualTo(T0 + 5 * MINUTE);
        JsonNode churn = o.get("models").get(0);
        assertThat(churn.get("model").asText()).isEqualTo("churn");
        JsonNode v7 = churn.get("versions").get(0);
        assertThat(v7.get("firing_rules")).extracting(JsonNode::asText).containsExactly("prediction_drift");
        assertThat(v7.get("final_window_pending").asBoolean()).isFalse();
        assertThat(v7.get("windows_awaiting_labels").asInt()).isEqualTo(2);
        assertThat(v7.get("windows")).hasSize(3);
        assertThat(v7.get("predictions")).hasSize(5);
        JsonNode last = v7.get("predictions").get(4);
        assertThat(List.of(last.get(0).asLong(), last.get(1).asLong(), last.get(2).asLong()))
                .containsExactly(T0 + 4 * MINUTE, T0 + 5 * MINUTE, 100L);
        assertThat(List.of(last.get(3).asDouble(), last.get(4).asDouble(), last.get(5).asDouble(), last.get(6).asDouble()))
                .containsExactly(0.24, 0.24 * 0.9, 0.24 * 1.1, 0.08);
        assertThat(v7.get("latest_predictions").get("psi").asDouble()).isEqualTo(0.08);
        assertThat(o.get("models")).extracting(m -> m.get("model").asText()).containsExactly("churn", "fraud", "percent-model");
        assertThat(o.get("models").get(2).get("dead_letters").get("out_of_range").asLong()).isEqualTo(1);
        assertThat(churn.get("alerts")).extracting(a -> a.get("rule").asText() + ":" + a.get("status").asText())
                .containsExactly("relative_to_baseline:RESOLVED", "prediction_drift:FIRING", "relative_to_baseline:FIRING");
    }

    /** The sample lines of one metric, in the exposition's order. */
    private static List<String> samples(String exposition, String name) {
        return exposition.lines().filter(l -> Pattern.matches(Pattern.quote(name) + "\\{.*", l)).toList();
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }
}
