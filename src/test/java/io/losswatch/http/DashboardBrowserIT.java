package io.losswatch.http;

import static io.losswatch.http.Fixtures.alert;
import static io.losswatch.http.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless Chromium with 50 models (history fed by hand, no Kafka): one
 * drawn chart per model, each name as text, the filter narrows the grid, nothing loaded from
 * outside, no console error. The real-broker run is in {@link HttpEndToEndIT}.
 */
class DashboardBrowserIT {
    private static final int MODELS = 50;
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 1440, 100, Duration.ofSeconds(1));
        MetricsHistory history = MetricsHistory.of(settings);
        for (int m = 0; m < MODELS; m++) {
            String model = String.format("model-%02d", m);
            for (int minute = 0; minute < 90; minute++) {
                double drift = m % 7 == 0 && minute > 60 ? (minute - 60) * 0.02 : 0;
                double mean = 0.2 + 0.05 * Math.sin(minute / 6.0 + m) + drift;
                history.addWindow(window(model, "v1", minute, mean, 100 + minute));
                if (m % 10 == 3) {
                    history.addWindow(window(model, "v2", minute, mean * 0.8, 50));
                }
            }
            if (m % 7 == 0) {
                history.addAlert(alert(model, "v1", "FIRING", 75, 0.5));
            }
        }
        history.addAlert(alert("model-01", "v1", "FIRING", 20, 0.45));
        history.addAlert(alert("model-01", "v1", "RESOLVED", 30, 0.2));
        for (int i = 0; i < 7; i++) {
            history.addDeadLetter(i < 5 ? "invalid_json" : "out_of_range");
        }
        metrics = new LosswatchMetrics(history);
        server = new HttpServer(settings, history, metrics, () -> KafkaStreams.State.RUNNING, () -> true);
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            metrics.close();
        }
    }

    @Test
    void fiftyModelsAreDrawnAndTheFilterNarrowsThem() throws Exception {
        try (Chromium browser = Browser.launch()) {
            browser.open(base + "/", 1400, 900);
            browser.await(Duration.ofSeconds(30), "a chart per model",
                    () -> Browser.cards(browser).stream().filter(c -> (Boolean) c.get("canvas")).count() == MODELS);

            List<Map<String, Object>> cards = Browser.cards(browser);
            assertThat(cards).hasSize(MODELS).allSatisfy(card -> {
                assertThat(card.get("drawn")).as(card.get("name") + " drawn").matches(n -> ((Number) n).intValue() > 500);
                assertThat((List<?>) card.get("legend")).as("legend of " + card.get("name")).isNotEmpty();
            });
            // firing models first, then by name
            assertThat(cards.get(0).get("name")).isEqualTo("model-00");
            assertThat(cards.get(8).get("name")).isEqualTo("model-01");
            String text = (String) browser.evaluate("document.body.innerText");
            for (int m = 0; m < MODELS; m++) {
                assertThat(text).contains(String.format("model-%02d", m));
            }
            assertThat(text).contains("invalid_json").contains("out_of_range");
            Path full = Browser.save(browser.screenshot(), "dashboard-50-models.png");
            Browser.save(browser.screenshotViewport(), "dashboard-50-models-top.png");

            browser.evaluate("const f = document.getElementById('filter'); f.value = 'model-13';"
                    + " f.dispatchEvent(new Event('input')); true");
            assertThat(Browser.cards(browser)).extracting(c -> c.get("name")).containsExactly("model-13");
            int before = Browser.renders(browser);
            browser.await(Duration.ofSeconds(10), "a refresh", () -> Browser.renders(browser) > before);
            assertThat(Browser.cards(browser)).singleElement()
                    .satisfies(c -> assertThat(((Number) c.get("drawn")).intValue()).isGreaterThan(500));
            Browser.save(browser.screenshot(), "dashboard-filtered.png");

            Browser.assertNoOutsideRequests(browser, base);
            assertThat(browser.errors()).isEmpty();
            assertThat(full).exists();
        }
    }
}
