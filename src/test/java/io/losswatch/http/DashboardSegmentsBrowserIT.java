package io.losswatch.http;

import static io.losswatch.http.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.losswatch.event.Segment;
import io.losswatch.topology.Json;
import io.losswatch.topology.WindowMetrics;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A model's segments on the dashboard (CONTRACT §11), in headless Chromium on a history fed by hand: the
 * card lists its worst five segments by the latest mean loss, a button shows all eight, the firing
 * segment is named on the badge, and a segment's alert draws nothing on the model's chart.
 */
class DashboardSegmentsBrowserIT {
    private static final String[] COUNTRIES = {"AT", "BE", "CH", "DE", "ES", "FR", "GB", "IT"};
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 1440, 100, Duration.ofSeconds(1));
        MetricsHistory history = MetricsHistory.of(settings);
        for (int minute = 0; minute < 10; minute++) {
            history.addWindow(window("fraud", "v1", minute, 0.3, 800));
            for (int c = 0; c < COUNTRIES.length; c++) {
                // latest means: AT 0.10, BE 0.11, … IT 0.17, but DE 0.90
                double mean = COUNTRIES[c].equals("DE") && minute == 9 ? 0.9 : 0.1 + 0.01 * c;
                WindowMetrics w = window("fraud", "v1", minute, mean, 100);
                history.addWindow(new WindowMetrics(w.model(), w.modelVersion(), w.lossFunction(), w.windowStart(),
                        w.windowEnd(), w.count(), w.meanLoss(), w.minLoss(), w.maxLoss(), w.stddevLoss(), 0, true, 0, 0,
                        null, null, null, null, null, null, null, new Segment("country", COUNTRIES[c])));
            }
        }
        ObjectNode fired = Fixtures.alertJson("fraud", "v1", "FIRING", "absolute_threshold", 9, 0.9);
        fired.set("segment", Json.MAPPER.createObjectNode().put("country", "DE"));
        history.addAlert(AlertEntry.of(fired, 0).orElseThrow());
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
    void theWorstSegmentsFirstAndAButtonForTheRest() throws Exception {
        try (Chromium browser = Browser.launch()) {
            browser.open(base + "/", 1400, 900);
            browser.await(Duration.ofSeconds(30), "the model's segments", () -> Boolean.TRUE.equals(browser.evaluate(
                    "!!document.querySelector('article[data-model=\"fraud\"] table.segments')")));
            String rows = "Array.from(document.querySelectorAll('article[data-model=\"fraud\"] tr.segment'))"
                    + ".map(r => r.dataset.segment).join(' ')";
            assertThat((String) browser.evaluate(rows)).isEqualTo("country:DE country:IT country:GB country:FR country:ES");
            assertThat(Browser.cardText(browser, "fraud")).contains("FIRING: segment country=DE")
                    .contains("country=DE\t0.9\t100\tFIRING: absolute_threshold")
                    .contains("show all 8 segments");
            // the segment's alert is in its row, not on the model's chart: no threshold or marker there
            assertThat(Browser.visibleLegend(browser, "fraud")).containsExactly("window start", "v1");
            Browser.save(browser.screenshot(), "dashboard-segments.png");

            browser.evaluate("document.querySelector('article[data-model=\"fraud\"] .more-segments').click(); true");
            assertThat((String) browser.evaluate(rows))
                    .isEqualTo("country:DE country:IT country:GB country:FR country:ES country:CH country:BE country:AT");
            // still all eight after the next refresh
            int before = Browser.renders(browser);
            browser.await(Duration.ofSeconds(10), "a refresh", () -> Browser.renders(browser) > before);
            assertThat(((String) browser.evaluate(rows)).split(" ")).hasSize(8);
            assertThat((String) browser.evaluate("document.getElementById('alerts').innerText"))
                    .contains("fraud v1 · country=DE\nabsolute_threshold\n\tFIRING\t0.9\t0.45");
            Browser.assertNoOutsideRequests(browser, base);
            assertThat(browser.errors()).isEmpty();
        }
    }
}
