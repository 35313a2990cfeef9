package io.losswatch.http;

import static io.losswatch.http.Fixtures.T0;
import static io.losswatch.http.Fixtures.alert;
import static io.losswatch.http.Fixtures.interim;
import static io.losswatch.http.Fixtures.predictions;
import static io.losswatch.http.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.topology.PredictionMetrics;
import io.losswatch.topology.WindowMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        history.addPredictions(predictions("ranker", "r1", 1, 0.2, null));
        history.addPredictions(predictions("ranker", "r1", 2, 0.2, null));
        assertThat(heard).containsExactly("churn/v7", "churn/v8", "fraud/", "ranker/r1");
    }

    @Test
    void deadLettersCountByReason() {
        history.addDeadLetter("invalid_json");
        history.addDeadLetter("invalid_json");
        history.addDeadLetter(null);
        assertThat(history.deadLetters()).containsEntry("invalid_json", 2L).containsEntry("unknown", 1L);
    }

    @Test
    void keepsTheLastFinalPredictionMetricsPerModelAndVersionOldestFirst() {
        for (int minute : new int[] {4, 0, 2, 1, 3}) {
            history.addPredictions(predictions("fraud", "v4", minute, 0.1 * minute, 0.01));
        }
        history.addPredictions(predictions("fraud", "v5", 3, 0.2, null));
        PredictionMetrics p = predictions("fraud", "v4", 5, 9.0, 9.0);
        history.addPredictions(new PredictionMetrics(p.model(), p.modelVersion(), p.lossFunction(), p.windowStart(),
                p.windowEnd(), 1, 0, 0.5, 9.0, 9.0, null, null, 0, false)); // interim: not kept

        // the same bound as windows: 3 per series
        assertThat(history.predictions("fraud", "v4", Long.MIN_VALUE, Long.MAX_VALUE).orElseThrow())
                .extracting(w -> (int) ((w.windowStart() - T0) / Fixtures.MINUTE)).containsExactly(2, 3, 4);
        long m3 = T0 + 3 * Fixtures.MINUTE;
        assertThat(history.predictions("fraud", null, m3, m3).orElseThrow())
                .extracting(PredictionMetrics::modelVersion).containsExactly("v4", "v5");
        assertThat(history.predictions("nope", null, Long.MIN_VALUE, Long.MAX_VALUE)).isEmpty();
        // known from prediction-metrics alone: no window yet, so its windows are an empty list, not unknown
        assertThat(history.knows("fraud")).isTrue();
        assertThat(history.knows("fraud", "v5")).isTrue();
        assertThat(history.windows("fraud", null, Long.MIN_VALUE, Long.MAX_VALUE)).hasValue(List.of());
        assertThat(history.latestWindowEnd()).hasValue(T0 + 5 * Fixtures.MINUTE);

        MetricsHistory.ModelView fraud = history.models().get(0);
        assertThat(fraud.finalWindowPending()).isTrue();
        MetricsHistory.VersionView v4 = fraud.versions().get(0);
        assertThat(v4.modelVersion()).isEqualTo("v4");
        assertThat(v4.latest()).isNull();
        assertThat(v4.finalWindowPending()).isTrue();
        assertThat(v4.predictionWindows()).isEqualTo(3);
        assertThat(v4.windowsAwaitingLabels()).isEqualTo(3);
        assertThat(v4.latestPredictions().estimatedLoss()).isEqualTo(0.4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(v4.latestPredictions().psi()).isEqualTo(0.01);
    }

    @Test
    void windowsAwaitingLabelsAreThoseAfterTheLatestFinalWindow() {
        for (int minute = 0; minute < 3; minute++) {
            history.addPredictions(predictions("fraud", "v4", minute, 0.2, 0.01));
        }
        history.addWindow(window("fraud", "v4", 0, 0.25, 10));
        MetricsHistory.VersionView v4 = history.models().get(0).versions().get(0);
        assertThat(v4.finalWindowPending()).isFalse();
        assertThat(v4.windowsAwaitingLabels()).isEqualTo(2);
        assertThat(history.models().get(0).finalWindowPending()).isFalse();
    }

    @Test
    void eachRuleFiresAndResolvesOnItsOwn() {
        history.addAlert(alert("churn", "v7", "FIRING", "relative_to_baseline", 1, 0.6));
        history.addAlert(alert("churn", "v7", "FIRING", "prediction_drift", 2, 0.6));
        history.addAlert(alert("churn", "v8", "FIRING", "estimated_loss", 2, 0.6));
        assertThat(history.models().get(0).versions()).extracting(MetricsHistory.VersionView::firingRules)
                .containsExactly(List.of("prediction_drift", "relative_to_baseline"), List.of("estimated_loss"));

        history.addAlert(alert("churn", "v7", "RESOLVED", "relative_to_baseline", 3, 0.2));
        history.addAlert(alert("churn", "v8", "RESOLVED", "estimated_loss", 3, 0.2));
        // the RESOLVED names the rule it ends; prediction_drift still fires
        assertThat(history.firing("churn")).isTrue();
        assertThat(history.models().get(0).versions()).extracting(MetricsHistory.VersionView::firingRules)
                .containsExactly(List.of("prediction_drift"), List.of());
        assertThat(history.models().get(0).versions().get(0).firing()).isTrue();
        assertThat(history.models().get(0).versions().get(1).firing()).isFalse();

        history.addAlert(alert("churn", "v7", "RESOLVED", "prediction_drift", 4, 0.2));
        assertThat(history.firing("churn")).isFalse();
        assertThat(history.models().get(0).firing()).isFalse();
    }

    @Test
    void deadLettersNamingAModelMakeItKnownUpToTheBound() {
        history.addWindow(window("churn", "v7", 0, 0.1, 1));
        history.addDeadLetter("out_of_range", "percent-model");
        history.addDeadLetter("out_of_range", "percent-model");
        history.addDeadLetter("missing_field", "percent-model");
        history.addDeadLetter("invalid_json", "churn");
        history.addDeadLetter("invalid_json", null);

        assertThat(history.deadLetters()).containsExactly(Map.entry("invalid_json", 2L), Map.entry("missing_field", 1L),
                Map.entry("out_of_range", 2L));
        assertThat(history.knows("percent-model")).isTrue();
        assertThat(history.windows("percent-model", null, Long.MIN_VALUE, Long.MAX_VALUE)).hasValue(List.of());
        List<MetricsHistory.ModelView> models = history.models();
        assertThat(models).extracting(MetricsHistory.ModelView::model).containsExactly("churn", "percent-model");
        assertThat(models.get(0).deadLetters()).containsExactly(Map.entry("invalid_json", 1L));
        assertThat(models.get(0).finalWindowPending()).isFalse();
        MetricsHistory.ModelView percent = models.get(1);
        assertThat(percent.versions()).isEmpty();
        assertThat(percent.finalWindowPending()).isTrue();
        assertThat(percent.firing()).isFalse();
        assertThat(percent.deadLetters()).containsExactly(Map.entry("missing_field", 1L), Map.entry("out_of_range", 2L));

        // made-up names: the first DEAD_LETTER_MODELS names are kept, later ones count by reason only
        for (int i = 0; i < MetricsHistory.DEAD_LETTER_MODELS + 10; i++) {
            history.addDeadLetter("out_of_range", "junk-" + i);
        }
        // churn and percent-model were the first two names, then junk-0 … junk-97
        assertThat(history.models()).hasSize(MetricsHistory.DEAD_LETTER_MODELS);
        assertThat(history.knows("junk-97")).isTrue();
        assertThat(history.knows("junk-98")).isFalse();
        assertThat(history.deadLetters().get("out_of_range")).isEqualTo(2L + MetricsHistory.DEAD_LETTER_MODELS + 10);
        // a name already kept goes on counting
        history.addDeadLetter("out_of_range", "percent-model");
        assertThat(history.models()).filteredOn(m -> m.model().equals("percent-model")).singleElement()
                .satisfies(m -> assertThat(m.deadLetters()).containsEntry("out_of_range", 3L));
    }

    private static List<Integer> starts(List<WindowMetrics> windows) {
        return windows.stream().map(w -> (int) ((w.windowStart() - T0) / Fixtures.MINUTE)).toList();
    }
}
