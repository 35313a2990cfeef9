package io.losswatch.http;

import static io.losswatch.http.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.topology.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed and oversized requests over real HTTP (raw sockets, so nothing is cleaned up on the
 * way): each one gets its 4xx with the API's JSON error body, and no response carries a stack trace.
 */
class HttpRequestLimitsTest {
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static int port;

    @BeforeAll
    static void start() {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 100, 10, Duration.ofSeconds(2));
        MetricsHistory history = MetricsHistory.of(settings);
        history.addWindow(window("churn", "v7", 0, 0.25, 100));
        metrics = new LosswatchMetrics(history);
        server = new HttpServer(settings, history, metrics, () -> KafkaStreams.State.RUNNING, () -> true);
        port = server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void aWellFormedRequestStillWorks() throws IOException {
        RawHttp.Response r = RawHttp.get(port, "/api/models/churn/metrics?from=0");
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).get(0).get("mean_loss").asDouble()).isEqualTo(0.25);
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Server")).isNull();
    }

    @Test
    void headIsAllowed() throws IOException {
        RawHttp.Response r = RawHttp.send(port, "HEAD /health/live HTTP/1.1\r\nHost: x", new byte[0]);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void unknownPathIs404() throws IOException {
        assertError(RawHttp.get(port, "/api/nothing-here"), 404, "no such path: /api/nothing-here (see the README for the routes)");
        assertError(RawHttp.get(port, "/etc/passwd"), 404, "no such path: /etc/passwd (see the README for the routes)");
    }

    @Test
    void writeMethodsAre405WithAllow() throws IOException {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            byte[] body = "{\"model\":\"x\"}".getBytes(StandardCharsets.UTF_8);
            RawHttp.Response r = RawHttp.send(port, method + " /api/models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + body.length, body);
            assertError(r, 405, "method " + method + " not allowed: losswatch's HTTP side is read-only (GET, HEAD)");
            assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
        }
        assertThat(RawHttp.send(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0", new byte[0]).status()).isEqualTo(405);
        assertThat(RawHttp.send(port, "DELETE /api/models/churn/metrics HTTP/1.1\r\nHost: x", new byte[0]).status()).isEqualTo(405);
    }

    @Test
    void aBodyOnGetIs400() throws IOException {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertError(RawHttp.send(port, "GET /api/models HTTP/1.1\r\nHost: x\r\nContent-Length: 2", body),
                400, "a GET request takes no body");
        assertError(RawHttp.send(port, "GET /api/alerts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked",
                "2\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), 400, "a GET request takes no body");
    }

    @Test
    void anOversizedBodyIs413() throws IOException {
        byte[] body = new byte[HttpServer.MAX_BODY_BYTES + 1];
        Arrays.fill(body, (byte) 'x');
        assertError(RawHttp.send(port, "POST /api/models HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length, body),
                413, "request body too large: this server takes no request body");
        // declared, not sent: refused on the declaration alone
        assertError(RawHttp.send(port, "GET /api/models HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000", new byte[0]),
                413, "request body too large: this server takes no request body");
    }

    @Test
    void hugeHeadersAre431() throws IOException {
        String big = "X-Padding: " + "a".repeat(HttpServer.MAX_HEADER_BYTES + 100);
        assertError(RawHttp.get(port, "/api/models", big), 431, "request headers too large: at most 8192 bytes");
        String many = String.join("\r\n", java.util.Collections.nCopies(400, "X-Many: " + "b".repeat(40)));
        assertError(RawHttp.get(port, "/api/models", many), 431, "request headers too large: at most 8192 bytes");
    }

    @Test
    void aHugeUriIs414() throws IOException {
        assertError(RawHttp.get(port, "/api/models/churn/metrics?from=" + "1".repeat(HttpServer.MAX_HEADER_BYTES + 100)),
                414, "request URI too long: the request line and headers may take at most 8192 bytes");
        assertError(RawHttp.get(port, "/api/models/" + "m".repeat(HttpServer.MAX_HEADER_BYTES + 100) + "/metrics"),
                414, "request URI too long: the request line and headers may take at most 8192 bytes");
    }

    @Test
    void badPercentEncodingIs400() throws IOException {
        for (String target : new String[] {"/api/models/%zz/metrics", "/api/models/churn/metrics?from=%zz",
            "/api/models/churn%/metrics", "/api/alerts?model=%E0%A4%A"}) {
            RawHttp.Response r = RawHttp.get(port, target);
            assertThat(r.status()).as(target).isEqualTo(400);
            assertJsonError(r, 400);
        }
    }

    @Test
    void nonNumericRangesAre400() throws IOException {
        assertError(RawHttp.get(port, "/api/models/churn/metrics?from=yesterday"), 400,
                "from must be a whole number (epoch milliseconds for from/to), got 'yesterday'");
        assertError(RawHttp.get(port, "/api/models/churn/metrics?to=99999999999999999999"), 400,
                "to must be a whole number (epoch milliseconds for from/to), got '99999999999999999999'");
    }

    @Test
    void garbageInsteadOfHttpIs400() throws IOException {
        RawHttp.Response r = RawHttp.send(port, "GARBAGE\u0001 / HTTP/1.1\r\nHost: x", new byte[0]);
        assertThat(r.status()).isBetween(400, 499);
        assertJsonError(r, r.status());
    }

    private static void assertError(RawHttp.Response r, int status, String message) throws IOException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertJsonError(r, status);
        assertThat(json(r).get("error").asText()).isEqualTo(message);
    }

    private static void assertJsonError(RawHttp.Response r, int status) throws IOException {
        assertThat(r.header("Content-Type")).as(r.body()).startsWith("application/json");
        JsonNode body = json(r);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("error").asText()).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("jetty")
                .doesNotContain("javalin");
    }

    private static JsonNode json(RawHttp.Response r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }
}
