package io.losswatch.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.estimate.LabelFreeRun.Result;
import io.losswatch.estimate.LabelFreeRun.Scenario;
import io.losswatch.estimate.LabelFreeRun.Window;
import io.losswatch.estimate.LabelFreeTraffic.Kind;
import io.losswatch.estimate.LabelFreeTraffic.Shift;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The label-free acceptance criteria (issue 14, docs/estimation.md) on a reduced {@link EstimationEvaluation},
 * through the real topology with default settings: the under-confident model's mean estimate over the 10 windows
 * of 200 after a covariate shift within 15% of the realized mean; the interval's coverage; no false alarm over
 * stationary windows with labels an hour late; the estimate catches a covariate shift long before the labels.
 */
class EstimationEvaluationTest {

    @Test
    void theUnderConfidentModelUnderCovariateShiftIsEstimatedWithin15Percent() {
        Result r = LabelFreeRun.run(new Scenario("target", Kind.UNDER_CONFIDENT, Shift.COVARIATE, 40, 30, 200,
                EstimationEvaluation.MINUTES_LATE, EstimationEvaluation.JITTER, 5), Map.of());
        List<Window> shifted = r.windows().stream().filter(w -> w.index() >= 30 && w.index() < 40).toList();
        EstimationEvaluation.Accuracy a = EstimationEvaluation.Accuracy.of(shifted);
        assertThat(a.windows()).isEqualTo(10);
        assertThat(Math.abs(a.meanEstimate() - a.meanRealized())).isLessThan(0.15 * a.meanRealized());
        // the shift is real: the realized loss rose well above the windows before it
        double before = EstimationEvaluation.Accuracy.of(r.windows().stream().filter(w -> w.index() < 30).toList())
                .meanRealized();
        assertThat(a.meanRealized()).isGreaterThan(1.15 * before);
    }

    @Test
    void theIntervalCoversTheRealizedLossAboutNineteenTimesInTwenty() {
        Result r = LabelFreeRun.run(EstimationEvaluation.accuracyScenario(Kind.CALIBRATED, 100, 160, 11), Map.of());
        EstimationEvaluation.Accuracy a = EstimationEvaluation.Accuracy.of(r.windows());
        assertThat(a.windows()).isGreaterThan(140);
        // 95% nominal; over ~150 windows the binomial spread is about 2 points
        assertThat(a.coverage()).isBetween(0.89, 0.995);
    }

    @Test
    void stationaryWindowsWithLabelsAnHourLateRaiseNothingAndAShiftIsCaughtBeforeItsLabels() {
        Result stationary = LabelFreeRun.run(new Scenario("s", Kind.UNDER_CONFIDENT, Shift.NONE, 300, 300, 200,
                EstimationEvaluation.HOUR_LATE, EstimationEvaluation.HOUR_JITTER, 33), Map.of());
        assertThat(stationary.alerts()).isEmpty();
        assertThat(stationary.windows()).hasSize(300);

        Result shifted = LabelFreeRun.run(new Scenario("d", Kind.UNDER_CONFIDENT, Shift.COVARIATE, 100, 85, 200,
                EstimationEvaluation.HOUR_LATE, EstimationEvaluation.HOUR_JITTER, 21), Map.of());
        Double estimated = shifted.delayMinutes("estimated_loss");
        assertThat(estimated).as("caught by the estimate").isNotNull().isLessThan(5.0);
        assertThat(shifted.delayMinutes("prediction_drift")).isNotNull().isLessThan(5.0);
    }
}
