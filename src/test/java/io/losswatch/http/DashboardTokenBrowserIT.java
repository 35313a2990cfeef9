package io.losswatch.http;

import static io.losswatch.http.Fixtures.alert;
import static io.losswatch.http.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless Chromium when {@code losswatch.http.token} is set: opened once as
 * {@code /?token=…} it keeps the token in the tab's sessionStorage, takes it out of the address bar
 * and draws every model; opened without it, it says what it needs and shows no data.
 */
class DashboardTokenBrowserIT {
    private static LosswatchMetrics metrics;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 1440, 100, Duration.ofSeconds(1), HttpTokenTest.TOKEN);
        MetricsHistory history = MetricsHistory.of(settings);
        for (int minute = 0; minute < 30; minute++) {
            history.addWindow(window("churn", "v7", minute, 0.3 + 0.01 * minute, 100));
            history.addWindow(window("fraud", "v2", minute, 0.2, 100));
        }
        history.addAlert(alert("churn", "v7", "FIRING", 25, 0.55));
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
    void openedOnceWithTheTokenItDrawsEveryModel() throws Exception {
        try (Chromium browser = Browser.launch()) {
            browser.open(base + "/?token=" + HttpTokenTest.TOKEN + "&x=1", 1200, 800);
            browser.await(Duration.ofSeconds(30), "two drawn charts", () -> Browser.cards(browser).size() == 2
                    && Browser.cards(browser).stream().allMatch(c -> ((Number) c.get("drawn")).intValue() > 500));
            assertThat(Browser.cards(browser)).extracting(c -> c.get("name")).containsExactly("churn", "fraud");
            assertThat(browser.evaluate("window.location.href")).isEqualTo(base + "/?x=1");
            assertThat(browser.evaluate("sessionStorage.getItem('losswatch.token')")).isEqualTo(HttpTokenTest.TOKEN);
            // it goes on refreshing with the token from sessionStorage
            int before = Browser.renders(browser);
            browser.await(Duration.ofSeconds(10), "a refresh", () -> Browser.renders(browser) > before);
            assertThat(Browser.cards(browser)).hasSize(2);
            assertThat(browser.errors()).isEmpty();
        }
    }

    @Test
    void withoutTheTokenItShowsNoDataAndSaysWhatItNeeds() throws Exception {
        try (Chromium browser = Browser.launch()) {
            browser.open(base + "/", 1200, 800);
            browser.await(Duration.ofSeconds(30), "the token message", () -> String.valueOf(
                    browser.evaluate("document.getElementById('status').textContent")).contains("needs its token"));
            assertThat(browser.evaluate("document.getElementById('status').textContent"))
                    .isEqualTo("this losswatch needs its token (losswatch.http.token): open this page once as /?token=…");
            assertThat(Browser.cards(browser)).isEmpty();
            assertThat((String) browser.evaluate("document.body.innerText")).doesNotContain("churn");
        }
    }
}
