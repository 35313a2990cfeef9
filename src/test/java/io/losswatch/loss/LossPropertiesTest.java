package io.losswatch.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;

/** The properties the contract asks of a loss (CONTRACT §1), over generated inputs. */
class LossPropertiesTest {
    private static final double EPS = 1e-15;
    private static final double MAX_LOG_LOSS = -Math.log(EPS) + 1e-3;

    @Property
    void logLossIsFiniteNonNegativeAndBounded(@ForAll @DoubleRange(min = 0, max = 1) double p,
                                              @ForAll @IntRange(min = 0, max = 1) int y) {
        double l = Losses.logLoss(p, y, EPS);
        assertThat(l).isFinite().isGreaterThanOrEqualTo(0.0).isLessThanOrEqualTo(MAX_LOG_LOSS);
    }

    /** −ln(1 − d) ≥ d, so a small loss forces the (clipped) prediction close to the label. */
    @Property
    void logLossIsNearZeroOnlyWhenThePredictionIsNearTheLabel(@ForAll @DoubleRange(min = 0, max = 1) double p,
                                                             @ForAll @IntRange(min = 0, max = 1) int y) {
        double distance = Math.abs(Losses.clip(p, EPS) - y);
        double l = Losses.logLoss(p, y, EPS);
        assertThat(l).isGreaterThanOrEqualTo(distance * (1 - 1e-12));
        // and conversely it is small when the prediction is close: −ln(1 − d) ≤ d / (1 − d)
        if (distance < 0.5) {
            assertThat(l).isLessThanOrEqualTo(distance / (1 - distance) * (1 + 1e-12) + 1e-300);
        }
    }

    @Property
    void logLossGrowsAsThePredictionMovesAwayFromTheLabel(@ForAll @DoubleRange(min = 0, max = 1) double a,
                                                         @ForAll @DoubleRange(min = 0, max = 1) double b) {
        double near = Math.max(a, b);
        double far = Math.min(a, b);
        // for y = 1 the prediction closer to 1 has the smaller loss; mirrored for y = 0
        assertThat(Losses.logLoss(near, 1, EPS)).isLessThanOrEqualTo(Losses.logLoss(far, 1, EPS));
        assertThat(Losses.logLoss(far, 0, EPS)).isLessThanOrEqualTo(Losses.logLoss(near, 0, EPS));
    }

    @Property
    void crossEntropyIgnoresTheScaleOfTheWeights(@ForAll @Size(min = 2, max = 6) List<@DoubleRange(min = 0.01, max = 100) Double> w,
                                                 @ForAll @DoubleRange(min = 0.001, max = 1000) @Scale(4) double scale,
                                                 @ForAll @IntRange(min = 0, max = 5) int truth) {
        Assume.that(truth < w.size());
        Map<String, Double> probs = new LinkedHashMap<>();
        Map<String, Double> scaled = new LinkedHashMap<>();
        for (int i = 0; i < w.size(); i++) {
            probs.put("c" + i, w.get(i));
            scaled.put("c" + i, w.get(i) * scale);
        }
        double l = Losses.crossEntropy(probs, "c" + truth, EPS);
        assertThat(l).isFinite().isGreaterThanOrEqualTo(0.0);
        assertThat(Losses.crossEntropy(scaled, "c" + truth, EPS)).isCloseTo(l, org.assertj.core.api.Assertions.within(1e-9));
        double brier = Losses.brierMultiClass(probs, "c" + truth);
        assertThat(brier).isBetween(0.0, 2.0);
    }

    @Property
    void brierAndRegressionLossesAreNonNegativeAndZeroOnlyAtTheLabel(@ForAll @DoubleRange(min = -1e6, max = 1e6) double p,
                                                                    @ForAll @DoubleRange(min = -1e6, max = 1e6) double y) {
        assertThat(Losses.squaredError(p, y)).isGreaterThanOrEqualTo(0.0);
        assertThat(Losses.absoluteError(p, y)).isGreaterThanOrEqualTo(0.0);
        assertThat(Losses.absoluteError(p, y) == 0.0).isEqualTo(p == y);
        assertThat(Losses.absoluteError(y, y)).isZero();
    }
}
