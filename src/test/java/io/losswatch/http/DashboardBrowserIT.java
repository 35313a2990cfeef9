package io.losswatch.http;

import static io.losswatch.http.Fixtures.MINUTE;
import static io.losswatch.http.Fixtures.T0;
import static io.losswatch.http.Fixtures.alert;
import static io.losswatch.http.Fixtures.predictions;
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
 * outside, no console error. A second instance holds the CONTRACT §9 cases and issue 19's details:
 * estimates beside realized loss, models with no final window, 30-second and lone windows. The
 * real-broker run is in {@link HttpEndToEndIT}.
 */
class DashboardBrowserIT {
    private static final int MODELS = 50;
    /** realized loss (COLORS[0]) and the estimate (ESTIMATE_COLORS[0]) of app.js. */
    private static final int[] REALIZED_RGB = {0x25, 0x63, 0xeb};
    private static final int[] ESTIMATE_RGB = {0xd9, 0x77, 0x06};
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static String base;
    private static LosswatchMetrics detailsMetrics;
    private static HttpServer detailsServer;
    private static String detailsBase;

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
        startDetails(settings);
    }

    /** T0 is 2025-11-24 16:00 UTC. */
    private static void startDetails(HttpSettings settings) {
        MetricsHistory history = MetricsHistory.of(settings);
        // "estimates": realized minutes 0-5, estimated 0-8 (the labels of 6-8 are out); two rules fired, one resolved
        for (int minute = 0; minute < 9; minute++) {
            history.addPredictions(predictions("estimates", "v7", minute, 0.2 + 0.01 * minute, 0.01 * minute));
            if (minute < 6) {
                history.addWindow(window("estimates", "v7", minute, 0.25 + 0.01 * minute, 100));
            }
        }
        history.addAlert(alert("estimates", "v7", "FIRING", "relative_to_baseline", 3, 0.6));
        history.addAlert(alert("estimates", "v7", "RESOLVED", "relative_to_baseline", 5, 0.3));
        history.addAlert(AlertEntry.of(Fixtures.alertJson("estimates", "v7", "FIRING", "prediction_drift", 7, 0)
                .putNull("mean_loss").put("psi", 0.31).put("threshold", 0.25), 0).orElseThrow());
        // "pending": estimates only, no psi yet
        for (int minute = 6; minute < 9; minute++) {
            history.addPredictions(predictions("pending", "", minute, 0.4, null));
        }
        // "refused": every record dead-lettered
        for (int i = 0; i < 3; i++) {
            history.addDeadLetter("out_of_range", "refused");
        }
        // "thirty-seconds": four 30 s windows from 16:08:00
        for (int k = 0; k < 4; k++) {
            history.addWindow(window("thirty-seconds", "", T0 + 8 * MINUTE + k * 30_000L, 30_000L, 0.3 + 0.01 * k, 20));
        }
        // "lonely": a single window, 16:04-16:05
        history.addWindow(window("lonely", "", 4, 0.3, 20));
        detailsMetrics = new LosswatchMetrics(history);
        detailsServer = new HttpServer(settings, history, detailsMetrics, () -> KafkaStreams.State.RUNNING, () -> true);
        detailsBase = "http://127.0.0.1:" + detailsServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            metrics.close();
        }
        if (detailsServer != null) {
            detailsServer.close();
            detailsMetrics.close();
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

    @Test
    @SuppressWarnings("unchecked")
    void axisTicksAreDistinctAndDoNotOverlap() throws Exception {
        try (Chromium browser = Browser.launch()) {
            browser.open(base + "/", 1400, 900);
            browser.await(Duration.ofSeconds(30), "a chart per model", () -> Browser.xTicks(browser).size() == MODELS);
            assertThat(Browser.xTicks(browser)).allSatisfy(t -> {
                assertThat(t.get("repeated")).as("repeated ticks of %s: %s", t.get("name"), t.get("labels")).isEqualTo(false);
                assertThat(t.get("overlap")).as("overlapping ticks of %s: %s", t.get("name"), t.get("labels")).isEqualTo(0);
                // 90 one-minute windows from 16:00, ticks minutes apart
                assertThat((List<String>) t.get("labels")).first().asString().matches("\\d\\d:\\d\\d 11-24");
            });
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void estimatesPendingModelsAndIssue19Details() throws Exception {
        try (Chromium browser = Browser.launch()) {
            browser.open(detailsBase + "/", 1400, 1000);
            browser.await(Duration.ofSeconds(30), "four drawn charts and the refused model's card", () -> {
                List<Map<String, Object>> cards = Browser.cards(browser);
                return cards.size() == 5 && cards.stream().filter(c -> ((Number) c.get("drawn")).intValue() > 500).count() == 4;
            });
            // firing first, then by name; every model seen, with or without a final window
            assertThat(Browser.cards(browser)).extracting(c -> c.get("name"))
                    .containsExactly("estimates", "lonely", "pending", "refused", "thirty-seconds");
            Path shot = Browser.save(browser.screenshot(), "dashboard-estimates.png");

            // §9: the estimate beside the realized loss, the interval as a band out of the legend, psi in the card
            assertThat(Browser.visibleLegend(browser, "estimates")).containsExactly("window start", "realized",
                    "estimated (before labels)", "threshold", "baseline", "fired", "resolved");
            assertThat(Browser.cardText(browser, "estimates"))
                    .contains("FIRING: prediction_drift")
                    .contains("latest window 16:05–16:06 mean 0.3 count 100")
                    .contains("estimated 0.28 (0.252–0.308) for 16:08–16:09 · psi 0.08 · 100 predictions, 10 labelled"
                            + " · 3 windows awaiting labels");
            // x from minute 0 to 8: the estimate alone is drawn right of the last realized window (minute 5)
            assertThat(Browser.pixels(browser, "estimates", ESTIMATE_RGB, 0.85, 1.0)).as("estimate, right").isGreaterThan(20);
            assertThat(Browser.pixels(browser, "estimates", ESTIMATE_RGB, 0.1, 0.6)).as("estimate, left").isGreaterThan(20);
            assertThat(Browser.pixels(browser, "estimates", REALIZED_RGB, 0.1, 0.6)).as("realized, left").isGreaterThan(20);
            assertThat(Browser.cardText(browser, "pending")).contains("(no version): no final window yet (labels pending)")
                    .contains("estimated 0.4 (0.36–0.44) for 16:08–16:09 · psi – · 100 predictions");
            assertThat(Browser.visibleLegend(browser, "pending")).containsExactly("window start", "realized",
                    "estimated (before labels)");
            assertThat(Browser.pixels(browser, "pending", ESTIMATE_RGB, 0.1, 1.0)).isGreaterThan(20);
            assertThat(Browser.cardText(browser, "refused")).contains("dead letters naming this model: out_of_range 3")
                    .contains("no window in this range");
            // alerts of the new rules show with their rule
            assertThat((String) browser.evaluate("document.getElementById('alerts').innerText"))
                    .contains("estimates v7\nprediction_drift\n\tFIRING\tpsi 0.31\t0.25")
                    .contains("estimates v7\nrelative_to_baseline\n\tRESOLVED\t0.3\t0.45");

            // issue 19 point 9: a 30 s window shows its seconds; ticks 15 s apart too, none repeated
            assertThat(Browser.cardText(browser, "thirty-seconds")).contains("latest window 16:09:30–16:10:00");
            Map<String, Map<String, Object>> ticks = new java.util.HashMap<>();
            Browser.xTicks(browser).forEach(t -> ticks.put((String) t.get("name"), t));
            assertThat(ticks.keySet()).containsExactlyInAnyOrder("estimates", "lonely", "pending", "thirty-seconds");
            assertThat(ticks.values()).allSatisfy(t -> {
                assertThat(t.get("repeated")).as("repeated ticks of %s: %s", t.get("name"), t.get("labels")).isEqualTo(false);
                assertThat(t.get("overlap")).as("overlapping ticks of %s: %s", t.get("name"), t.get("labels")).isEqualTo(0);
            });
            assertThat((List<String>) ticks.get("thirty-seconds").get("labels"))
                    .hasSizeGreaterThan(2).allSatisfy(l -> assertThat(l).matches("16:0[89]:\\d\\d( 11-24)?"));
            // a lone window: its own neighbourhood on the axis (minutes around 16:04), not days or months
            assertThat((List<String>) ticks.get("lonely").get("labels"))
                    .hasSizeGreaterThan(1).allSatisfy(l -> assertThat(l).matches("16:0[3-5](:\\d\\d)?( 11-24)?"));
            assertThat(Browser.cardText(browser, "lonely")).contains("latest window 16:04–16:05");

            // 24-hour UTC everywhere, though the browser's own clock is 12-hour
            assertThat((String) browser.evaluate("new Date(0).toLocaleTimeString()")).containsPattern("[AP]M");
            assertThat((String) browser.evaluate("document.getElementById('status').textContent"))
                    .containsPattern("updated \\d\\d:\\d\\d:\\d\\d UTC");
            assertThat((String) browser.evaluate("document.body.innerText")).doesNotContainPattern("\\b[AP]M\\b");

            Browser.assertNoOutsideRequests(browser, detailsBase);
            assertThat(browser.errors()).isEmpty();
            assertThat(shot).exists();
        }
    }
}
