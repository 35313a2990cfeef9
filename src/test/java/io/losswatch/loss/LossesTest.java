package io.losswatch.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each loss against values worked out independently: the log values were computed to 50 digits with
 * Python's decimal module (Decimal(p).ln()), the others by hand.
 */
class LossesTest {
    private static final double EPS = 1e-15;

    @Test
    void logLossOfAConfidentRightPrediction() {
        // −ln 0.93 = 0.0725706928348353781848926…
        assertThat(Losses.logLoss(0.93, 1, EPS)).isCloseTo(0.07257069283483538, within(1e-17));
        // −ln(1 − 0.2) = 0.2231435513142097696…
        assertThat(Losses.logLoss(0.2, 0, EPS)).isCloseTo(0.22314355131420977, within(1e-17));
    }

    @Test
    void logLossIsSymmetricInTheLabel() {
        // the double nearest 0.7 is a little below 0.7, so 1 − 0.7 is a little above 0.3:
        // −ln(1 − 0.7) = 1.20397280432593584…, −ln 0.3 = 1.20397280432593603…
        assertThat(Losses.logLoss(0.7, 0, EPS)).isCloseTo(1.2039728043259358, within(1e-15));
        assertThat(Losses.logLoss(0.3, 1, EPS)).isCloseTo(1.2039728043259360, within(1e-15));
    }

    @Test
    void logLossIsFiniteAtZeroAndOneThanksToClipping() {
        // −ln 1e-15 = 34.5387763949106852…
        assertThat(Losses.logLoss(0.0, 1, EPS)).isCloseTo(34.538776394910685, within(1e-12));
        // clip(1) is the double 0.999999999999999, whose complement is 9.99200722162640886e-16:
        // −ln of that = 34.5395759923408820…
        assertThat(Losses.logLoss(1.0, 0, EPS)).isCloseTo(34.53957599234088, within(1e-12));
        assertThat(Losses.logLoss(1.0, 1, EPS)).isCloseTo(1e-15, within(1e-17));
        assertThat(Losses.logLoss(0.0, 0, EPS)).isCloseTo(1e-15, within(1e-17));
        assertThat(Losses.isClipped(0.0, EPS)).isTrue();
        assertThat(Losses.isClipped(1.0, EPS)).isTrue();
        assertThat(Losses.isClipped(0.5, EPS)).isFalse();
    }

    @Test
    void largerEpsilonCapsTheLoss() {
        // ŷ = 0 clipped to 1e-7: −ln 1e-7 = 7·ln 10 = 16.11809565095831…
        assertThat(Losses.logLoss(0.0, 1, 1e-7)).isCloseTo(16.11809565095832, within(1e-12));
    }

    @Test
    void crossEntropyNormalisesTheWeights() {
        Map<String, Double> weights = new LinkedHashMap<>();
        weights.put("cat", 2.0);
        weights.put("dog", 1.0);
        weights.put("eel", 1.0);
        // p(cat) = 0.5: ln 2; p(dog) = 0.25: ln 4 = 2 ln 2
        assertThat(Losses.crossEntropy(weights, "cat", EPS)).isCloseTo(0.6931471805599453, within(1e-16));
        assertThat(Losses.crossEntropy(weights, "dog", EPS)).isCloseTo(1.3862943611198906, within(1e-15));
        weights.put("eel", 0.0);
        weights.put("dog", 0.0);
        assertThat(Losses.crossEntropy(weights, "eel", EPS)).as("zero probability is clipped")
                .isCloseTo(34.538776394910685, within(1e-12));
    }

    @Test
    void brierScores() {
        // (0.9 − 1)² = 0.01; (0.9 − 0)² = 0.81
        assertThat(Losses.brierBinary(0.9, 1)).isCloseTo(0.01, within(1e-16));
        assertThat(Losses.brierBinary(0.9, 0)).isCloseTo(0.81, within(1e-16));
        Map<String, Double> probs = Map.of("a", 2.0, "b", 1.0, "c", 1.0);
        // normalised 0.5, 0.25, 0.25 with truth a: 0.25 + 0.0625 + 0.0625 = 0.375
        assertThat(Losses.brierMultiClass(probs, "a")).isEqualTo(0.375);
        // truth b: 0.25 + 0.5625 + 0.0625 = 0.875
        assertThat(Losses.brierMultiClass(probs, "b")).isEqualTo(0.875);
    }

    @Test
    void regressionErrors() {
        assertThat(Losses.squaredError(3.5, 2)).isEqualTo(2.25);
        assertThat(Losses.squaredError(-1, 2)).isEqualTo(9.0);
        assertThat(Losses.absoluteError(3.5, 2)).isEqualTo(1.5);
        assertThat(Losses.absoluteError(-1, 2)).isEqualTo(3.0);
    }
}
