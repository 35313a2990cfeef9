package io.losswatch.http;

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
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** losswatch.http.token over real HTTP: what needs the bearer token, what does not, and how a refusal looks. */
class HttpTokenTest {
    static final String TOKEN = "lw-test-7f3c9a1e5b2d8c4f6a0e";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final List<String> PROTECTED = List.of("/api/models", "/api/models/churn/metrics", "/api/alerts",
            "/api/overview", "/metrics");
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 100, 10, Duration.ofSeconds(2), TOKEN);
        MetricsHistory history = MetricsHistory.of(settings);
        history.addWindow(window("churn", "v7", 0, 0.25, 100));
        metrics = new LosswatchMetrics(history);
        server = new HttpServer(settings, history, metrics, () -> KafkaStreams.State.RUNNING, () -> true);
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void theDataNeedsTheToken() throws Exception {
        for (String path : PROTECTED) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Bearer realm=\"losswatch\"");
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            JsonNode body = json(r);
            assertThat(body.get("status").asInt()).isEqualTo(401);
            assertThat(body.get("error").asText())
                    .isEqualTo("authentication required: send Authorization: Bearer <token> (losswatch.http.token)");
        }
    }

    @Test
    void aWrongTokenOrSchemeIsRefused() throws Exception {
        // first the right one, so the wrong ones follow on a kept-alive connection that has seen it
        assertThat(get("/api/models", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        for (String authorization : new String[] {"Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1),
            "Bearer " + TOKEN.toUpperCase(), "Basic " + TOKEN, TOKEN, "Bearer", "Bearer  "}) {
            for (String path : PROTECTED) {
                HttpResponse<String> r = get(path, authorization);
                assertThat(r.statusCode()).as(authorization + " " + path).isEqualTo(401);
                assertThat(json(r).get("error").asText()).isIn("invalid token",
                        "authentication required: send Authorization: Bearer <token> (losswatch.http.token)");
            }
        }
        HttpResponse<String> wrong = get("/api/models", "Bearer not-the-token-at-all-123");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"losswatch\", error=\"invalid_token\"");
        // a token in the URL is not accepted by the API (URLs end up in logs and histories)
        assertThat(get("/api/models?token=" + TOKEN, null).statusCode()).isEqualTo(401);
    }

    @Test
    void theRightTokenGivesTheData() throws Exception {
        HttpResponse<String> models = get("/api/models", "Bearer " + TOKEN);
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(json(models)).extracting(m -> m.get("model").asText()).containsExactly("churn");
        HttpResponse<String> windows = get("/api/models/churn/metrics", "bearer " + TOKEN); // the scheme is case-insensitive
        assertThat(windows.statusCode()).isEqualTo(200);
        assertThat(json(windows).get(0).get("mean_loss").asDouble()).isEqualTo(0.25);
        HttpResponse<String> scrape = get("/metrics", "Bearer " + TOKEN);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("losswatch_window_mean_loss{model=\"churn\",model_version=\"v7\"} 0.25");
        for (String path : PROTECTED) {
            assertThat(get(path, "Bearer " + TOKEN).body()).as(path).doesNotContain(TOKEN);
        }
    }

    @Test
    void healthChecksAndThePageItselfNeedNoToken() throws Exception {
        assertThat(get("/health/live", null).statusCode()).isEqualTo(200);
        assertThat(get("/health/ready", null).statusCode()).isEqualTo(200);
        HttpResponse<String> page = get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/assets/app.js").doesNotContain(TOKEN);
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(get("/assets/app.js", null).statusCode()).isEqualTo(200);
        assertThat(get("/webjars/uplot/" + HttpServer.webjarVersion("uplot") + "/dist/uPlot.iife.min.js", null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void unknownPathsAre401WithoutTheTokenAnd404WithIt() throws Exception {
        assertThat(get("/admin", null).statusCode()).isEqualTo(401);
        assertThat(get("/admin", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void theSettingsNeverShowTheToken() {
        assertThat(new HttpSettings("127.0.0.1", 0, 1, 1, Duration.ofSeconds(1), TOKEN).toString())
                .doesNotContain(TOKEN).contains("token=(set)");
        assertThat(new HttpSettings("127.0.0.1", 0, 1, 1, Duration.ofSeconds(1)).toString()).contains("token=none");
    }

    @Test
    void theCheckIsExact() {
        BearerToken check = new BearerToken(TOKEN);
        assertThat(check.check("Bearer " + TOKEN)).isEqualTo(BearerToken.Result.VALID);
        assertThat(check.check("BEARER " + TOKEN)).isEqualTo(BearerToken.Result.VALID);
        assertThat(check.check(null)).isEqualTo(BearerToken.Result.MISSING);
        assertThat(check.check("")).isEqualTo(BearerToken.Result.MISSING);
        assertThat(check.check("Bearer " + TOKEN + " ")).isEqualTo(BearerToken.Result.VALID);
        assertThat(check.check("Bearer " + TOKEN.substring(0, TOKEN.length() - 1))).isEqualTo(BearerToken.Result.INVALID);
        assertThat(check.check("Bearer " + TOKEN + TOKEN)).isEqualTo(BearerToken.Result.INVALID);
        assertThat(check.check("Token " + TOKEN)).isEqualTo(BearerToken.Result.INVALID);
    }

    private static HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }
}
