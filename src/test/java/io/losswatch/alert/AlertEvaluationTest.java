package io.losswatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The acceptance criteria of the alert defaults, on a reduced version of {@link AlertEvaluation}:
 * every scenario streams through the real topology with default settings, as one stream.
 * About 120,000 events (the 1,000 stationary windows are most of them).
 */
class AlertEvaluationTest {

    @Test
    void theDefaultsMeetTheAcceptanceCriteria() {
        Synthetic.Shape balanced = AlertEvaluation.balanced();
        AlertSettings defaults = AlertSettings.DEFAULTS;
        // 1,000 stationary windows at the default minimum count
        Scenario stationary = Scenario.stationary("stationary", balanced, (int) defaults.minCount(), 1000, 7);
        // a 50% rise of the mean loss (at 500 events a window the rise is 7 standard errors of a window mean)
        Scenario step = Scenario.steps("step", balanced, 500, 0.5, 12, 4, 0, 16, 8);
        // the modest model: 200 events a window, watched from its first window, degraded once warm
        Scenario modest = Scenario.steps("modest", balanced, 200, 1.0, 8, 4, 0, 12, 9);
        // one confident mistake (loss 34.5) in every window once warm, in otherwise stationary traffic
        Scenario outliers = Scenario.outliers("outliers", balanced, 200, 40, 1, 10);

        Map<String, List<Scenario.Event>> alerts;
        try (TopologyRunner r = new TopologyRunner(Map.of()).flushingEvery(50)) {
            r.run(List.of(stationary, step, modest, outliers));
            alerts = r.eventsByModel();
        }

        assertThat(alerts.getOrDefault("stationary", List.of())).as("false alarms in 1,000 stationary windows").isEmpty();

        Analysis stepped = Analysis.of(step, alerts.get("step"));
        assertThat(stepped.delays()).as("the 50% rise is caught").hasSize(1);
        assertThat(stepped.delays().get(0)).as("within 2 windows").isLessThanOrEqualTo(2.0);

        assertThat(defaults.minCount()).isLessThanOrEqualTo(100);
        Scenario.Event first = alerts.get("modest").get(0);
        assertThat(first.status()).isEqualTo(Alert.FIRING);
        assertThat(first.time()).as("protected after at most 10 windows").isLessThan(Scenario.windowStart(10));

        assertThat(alerts.getOrDefault("outliers", List.of())).as("a single 34.5 loss does not fire").isEmpty();

        // the pure evaluator, given the same scenarios in the same loss batches (the topology's intake
        // flushes every 50 records here), decides the same
        Map<String, List<Scenario.Event>> pure = PureRunner.runBatched(List.of(stationary, step, modest, outliers),
                defaults, 10_000, 50);
        for (Scenario s : List.of(stationary, step, modest, outliers)) {
            assertThat(AlertEvaluation.sameDecisions(alerts.getOrDefault(s.model(), List.of()),
                    pure.getOrDefault(s.model(), List.of()))).as(s.model()).isTrue();
        }
    }
}
