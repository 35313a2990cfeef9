package io.losswatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.loss.Calibration;
import io.losswatch.topology.PredictionMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The estimated_loss and prediction_drift rules (CONTRACT §9): each with its own lifecycle and noise control. */
class LabelFreeRulesTest {
    private static final long T0 = 1_764_000_000_000L;
    private static final long MIN = 60_000;
    private static final AlertSettings S = AlertSettings.DEFAULTS; // min count 100, K = 2, R = 4, +20%, z 2.75
    private static final LabelFreeRules.Settings LF = LabelFreeRules.Settings.DEFAULTS; // psi 0.25, resolve below 0.125
    /** A warm baseline: mean 0.40 over 8 windows (the default warm-up). */
    private static final AlertState.Baseline WARM = new AlertState.Baseline(8, 0.40, 0.09, 0.0, 1000);

    private static PredictionMetrics window(int i, long predictions, long labelled, Double psi, Double estimate) {
        return new PredictionMetrics("fraud", "v4", "log_loss", T0 + i * MIN, T0 + (i + 1) * MIN, predictions, labelled,
                0.1, psi, estimate, estimate == null ? null : estimate - 0.01, estimate == null ? null : estimate + 0.01,
                5000, true);
    }

    /** Feeds windows one by one; returns the alerts as "index status rule". */
    private static List<String> run(List<PredictionMetrics> windows, AlertState.Baseline baseline) {
        LabelFreeRules.State state = LabelFreeRules.State.INITIAL;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            PredictionMetrics w = windows.get(i);
            Calibration.Estimate robust = w.estimatedLoss() == null ? null
                    : new Calibration.Estimate(w.estimatedLoss(), w.estimatedLossLow(), w.estimatedLossHigh());
            LabelFreeRules.Outcome o = LabelFreeRules.onWindow(w, robust, state, baseline, S, LF);
            state = o.state();
            for (Alert a : o.alerts()) {
                out.add(i + " " + a.status() + " " + a.rule());
            }
        }
        return out;
    }

    @Test
    void driftFiresAfterTwoWindowsAtTheThresholdAndResolvesAfterFourBelowHalfOfIt() {
        List<PredictionMetrics> ws = new ArrayList<>();
        ws.add(window(0, 500, 0, 0.30, null)); // one breach: not yet
        ws.add(window(1, 500, 0, 0.20, null)); // the run is broken
        ws.add(window(2, 500, 0, 0.25, null)); // at the threshold counts
        ws.add(window(3, 500, 0, 0.40, null)); // second in a row: FIRING
        ws.add(window(4, 500, 0, 0.10, null));
        ws.add(window(5, 500, 0, 0.12, null));
        ws.add(window(6, 500, 0, 0.13, null)); // not below 0.125: the clearing run restarts
        ws.add(window(7, 500, 0, 0.01, null));
        ws.add(window(8, 500, 0, 0.01, null));
        ws.add(window(9, 500, 0, 0.01, null));
        ws.add(window(10, 500, 0, 0.01, null)); // fourth below: RESOLVED
        assertThat(run(ws, AlertState.Baseline.EMPTY)).containsExactly("3 FIRING prediction_drift", "10 RESOLVED prediction_drift");
    }

    @Test
    void tooFewPredictionsOrNoPsiSayNothing() {
        List<PredictionMetrics> ws = List.of(window(0, 99, 0, 0.9, null), window(1, 500, 0, 0.9, null),
                window(2, 99, 0, 0.9, null), window(3, 500, 0, null, null), window(4, 500, 0, 0.9, null));
        // windows 0, 2 and 3 neither breach nor break the run: 1 and 4 are two in a row
        assertThat(run(ws, AlertState.Baseline.EMPTY)).containsExactly("4 FIRING prediction_drift");
    }

    @Test
    void theEstimateFiresAboveTheRealizedBaselineByTheRelativeMargin() {
        // level: 0.40 + max(20% of 0.40, 2.75 × 0.01/1.96) = 0.48; resolves at 0.40 + 0.25 × 0.08 = 0.42
        List<PredictionMetrics> ws = new ArrayList<>();
        ws.add(window(0, 1000, 0, null, 0.45));
        ws.add(window(1, 1000, 0, null, 0.49));
        ws.add(window(2, 1000, 10, null, 0.55)); // FIRING
        ws.add(window(3, 1000, 0, null, 0.42)); // at the resolve level counts
        ws.add(window(4, 1000, 0, null, 0.41));
        ws.add(window(5, 1000, 0, null, 0.40));
        ws.add(window(6, 1000, 0, null, 0.30)); // RESOLVED
        assertThat(run(ws, WARM)).containsExactly("2 FIRING estimated_loss", "6 RESOLVED estimated_loss");
    }

    @Test
    void theEstimateWaitsForTheRealizedBaselineAndLeavesFullyLabelledWindowsToTheRealizedRules() {
        List<PredictionMetrics> ws = List.of(window(0, 1000, 0, null, 0.9), window(1, 1000, 0, null, 0.9));
        assertThat(run(ws, new AlertState.Baseline(7, 0.40, 0.09, 0.0, 1000))).as("warm-up not over").isEmpty();
        List<PredictionMetrics> labelled = List.of(window(0, 1000, 1000, null, 0.9), window(1, 1000, 1000, null, 0.9));
        assertThat(run(labelled, WARM)).isEmpty();
    }

    /** Labels that were late for a while and come on time again: the fully labelled windows resolve the alert. */
    @Test
    void fullyLabelledWindowsResolveAnEstimatedAlertButCannotFireOne() {
        List<PredictionMetrics> ws = new ArrayList<>();
        ws.add(window(0, 1000, 1000, null, 0.60)); // fully labelled: cannot breach
        ws.add(window(1, 1000, 0, null, 0.60));
        ws.add(window(2, 1000, 0, null, 0.60)); // FIRING
        for (int i = 3; i < 7; i++) {
            ws.add(window(i, 1000, 1000, null, 0.38)); // labels on time again, estimate back to normal
        }
        assertThat(run(ws, WARM)).containsExactly("2 FIRING estimated_loss", "6 RESOLVED estimated_loss");
    }

    @Test
    void bothRulesFireAndResolveOnTheirOwn() {
        List<PredictionMetrics> ws = new ArrayList<>();
        ws.add(window(0, 1000, 0, 0.5, 0.6));
        ws.add(window(1, 1000, 0, 0.5, 0.6)); // both fire
        for (int i = 2; i < 6; i++) {
            ws.add(window(i, 1000, 0, 0.01, 0.6)); // drift over, the estimate still high
        }
        assertThat(run(ws, WARM)).containsExactly("1 FIRING estimated_loss", "1 FIRING prediction_drift",
                "5 RESOLVED prediction_drift");
    }
}
