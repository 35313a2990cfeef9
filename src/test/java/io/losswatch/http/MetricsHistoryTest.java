package io.losswatch.http;

import static io.losswatch.http.Fixtures.T0;
import static io.losswatch.http.Fixtures.alert;
import static io.losswatch.http.Fixtures.interim;
import static io.losswatch.http.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.topology.WindowMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsHistoryTest {
    private final MetricsHistory history = new MetricsHistory(3, 2);

    @Test
    void keepsTheLastFinalWindowsPerModelAndVersionOldestFirst() {
        for (int minute : new int[] {4, 0, 2, 1, 3}) {
            history.addWindow(window("churn", "v7", minute, 0.1 * minute, 10));
        }
        history.addWindow(window("churn", "v8", 0, 0.5, 10));
        history.addWindow(interim("churn", "v7", 5, 9.0));

        assertThat(starts(history.windows("churn", "v7", Long.MIN_VALUE, Long.MAX_VALUE).orElseThrow()))
                .containsExactly(2, 3, 4);
        assertThat(history.windows("churn", null, Long.MIN_VALUE, Long.MAX_VALUE).orElseThrow())
                .extracting(WindowMetrics::modelVersion).containsExactly("v8", "v7", "v7", "v7");
        assertThat(history.latestMeanLoss("churn", "v7")).isEqualTo(0.4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(history.latestWindowEnd()).hasValue(T0 + 5 * Fixtures.MINUTE);
    }

    @Test
    void fromAndToAreInclusiveOnWindowStart() {
        for (int minute = 0; minute < 3; minute++) {
            history.addWindow(window("churn", "", minute, 0.2, 1));
        }
        long m1 = T0 + Fixtures.MINUTE;
        assertThat(starts(history.windows("churn", null, m1, m1).orElseThrow())).containsExactly(1);
        assertThat(starts(history.windows("churn", null, m1, Long.MAX_VALUE).orElseThrow())).containsExactly(1, 2);
        assertThat(history.windows("churn", null, m1 + 1, m1 + 2)).hasValue(List.of());
        assertThat(history.windows("fraud", null, Long.MIN_VALUE, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void replayedWindowReplacesTheKeptOne() {
        history.addWindow(window("churn", "v7", 0, 0.1, 1));
        history.addWindow(window("churn", "v7", 0, 0.2, 2));
        assertThat(history.windows("churn", "v7", Long.MIN_VALUE, Long.MAX_VALUE).orElseThrow())
                .singleElement().extracting(WindowMetrics::count).isEqualTo(2L);
    }

    @Test
    void alertsNewestFirstBoundedAndFiringStateSurvivesTheBound() {
        history.addAlert(alert("churn", "v7", "FIRING", 1, 0.6));
        history.addAlert(alert("fraud", "", "FIRING", 2, 0.9));
        history.addAlert(alert("churn", "v7", "RESOLVED", 3, 0.2));
        history.addAlert(alert("churn", "v7", "FIRING", 4, 0.7));

        assertThat(history.alerts(null)).extracting(a -> a.model() + ":" + a.status() + ":" + a.windowStart())
                .containsExactly("churn:FIRING:" + (T0 + 4 * Fixtures.MINUTE),
                        "churn:RESOLVED:" + (T0 + 3 * Fixtures.MINUTE),
                        "fraud:FIRING:" + (T0 + 2 * Fixtures.MINUTE));
        assertThat(history.alerts("fraud")).hasSize(1);
        assertThat(history.firing("churn")).isTrue();
        assertThat(history.firing("fraud")).isTrue();
        history.addAlert(alert("fraud", "", "RESOLVED", 5, 0.3));
        assertThat(history.firing("fraud")).isFalse();
        assertThat(history.firing("unknown")).isFalse();
        assertThat(history.knows("fraud")).isTrue();
        assertThat(history.models()).extracting(MetricsHistory.ModelView::model).containsExactly("churn", "fraud");
    }

    @Test
    void alertJsonIsServedAsWritten() {
        history.addAlert(alert("churn", "v7", "FIRING", 1, 0.6));
        AlertEntry a = history.alerts(null).get(0);
        assertThat(a.json().get("rule").asText()).isEqualTo("relative_to_baseline");
        assertThat(a.threshold()).isEqualTo(0.45);
    }

    @Test
    void windowWithoutLabelledPredictionHasNoMean() {
        history.addWindow(window("churn", "v7", 0, null, 0));
        assertThat(history.latestMeanLoss("churn", "v7")).isNaN();
        assertThat(history.latestMeanLoss("churn", "v9")).isNaN();
    }

    @Test
    void newSeriesAreAnnouncedOnceIncludingThoseSeenBefore() {
        history.addWindow(window("churn", "v7", 0, 0.1, 1));
        List<String> heard = new ArrayList<>();
        history.onNewSeries((m, v) -> heard.add(m + "/" + v));
        history.addWindow(window("churn", "v7", 1, 0.1, 1));
        history.addWindow(window("churn", "v8", 1, 0.1, 1));
        history.addAlert(alert("fraud", "", "FIRING", 1, 0.6));
        assertThat(heard).containsExactly("churn/v7", "churn/v8", "fraud/");
    }

    @Test
    void deadLettersCountByReason() {
        history.addDeadLetter("invalid_json");
        history.addDeadLetter("invalid_json");
        history.addDeadLetter(null);
        assertThat(history.deadLetters()).containsEntry("invalid_json", 2L).containsEntry("unknown", 1L);
    }

    private static List<Integer> starts(List<WindowMetrics> windows) {
        return windows.stream().map(w -> (int) ((w.windowStart() - T0) / Fixtures.MINUTE)).toList();
    }
}
