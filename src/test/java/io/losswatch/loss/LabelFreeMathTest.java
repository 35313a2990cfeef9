package io.losswatch.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The label-free math of CONTRACT §9: a prediction's two outcomes, the bins, the calibration's estimate and psi. */
class LabelFreeMathTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double EPS = 1e-15;

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBinaryPredictionIsOneEventYEqualsOne() {
        PredictionPoint p = PredictionPoint.of(json("0.2"), Optional.empty(), EPS);
        assertThat(p.function()).isEqualTo("log_loss");
        assertThat(p.value()).isEqualTo(0.2);
        assertThat(p.z()).hasSize(1);
        assertThat(p.z()[0]).isCloseTo(Math.log(0.25), within(1e-15));
        // loss −ln 0.8 if y = 0, −ln 0.2 if y = 1
        assertThat(p.wrong()[0]).isCloseTo(-Math.log(0.8), within(1e-15));
        assertThat(p.wrong()[0] + p.gap()[0]).isCloseTo(-Math.log(0.2), within(1e-15));
        // ln(0.25) = −1.386: calibration bins are 0.25 wide, psi bins 0.1 wide on the logit
        assertThat(PredictionPoint.calibrationBin(p.z()[0])).isEqualTo(-6);
        assertThat(p.driftBin()).isEqualTo(-14);

        PredictionPoint brier = PredictionPoint.of(json("0.2"), Optional.of(LossFunction.BRIER), EPS);
        assertThat(brier.wrong()[0]).isCloseTo(0.04, within(1e-15));
        assertThat(brier.wrong()[0] + brier.gap()[0]).isCloseTo(0.64, within(1e-15));
        assertThat(PredictionPoint.lesson(json("0.3"), json("true"), EPS).cameTrue()).containsExactly(true);
        PredictionPoint.Lesson reused = p.lessonFor(json("0.2"), json("1"), EPS);
        assertThat(reused.z()).containsExactly(PredictionPoint.lesson(json("0.2"), json("1"), EPS).z());
        assertThat(reused.cameTrue()).containsExactly(true);
        assertThat(PredictionPoint.lesson(json("0.3"), json("0"), EPS).cameTrue()).containsExactly(false);
    }

    @Test
    void aMultiClassPredictionsExpectedLossAtEachTemperature() {
        // normalised {a: 0.5, b: 0.3, c: 0.2}; top class a; at t = 1 (grid point 10) the truth is the model's own
        PredictionPoint ce = PredictionPoint.of(json("{\"a\":1,\"b\":0.6,\"c\":0.4}"), Optional.empty(), EPS);
        assertThat(ce.function()).isEqualTo("cross_entropy");
        assertThat(ce.value()).isCloseTo(0.5, within(1e-15));
        assertThat(Temperature.t(10)).isCloseTo(1.0, within(1e-12));
        double entropy = -(0.5 * Math.log(0.5) + 0.3 * Math.log(0.3) + 0.2 * Math.log(0.2));
        assertThat(ce.temperatureMean()[10]).isCloseTo(entropy, within(1e-12));
        double second = 0.5 * Math.pow(Math.log(0.5), 2) + 0.3 * Math.pow(Math.log(0.3), 2) + 0.2 * Math.pow(Math.log(0.2), 2);
        assertThat(ce.temperatureVariance()[10]).isCloseTo(second - entropy * entropy, within(1e-12));
        // at t = e^2 (the grid's last point) the truth is p^t normalised
        double t = Math.exp(2.0);
        double za = Math.pow(0.5, t);
        double zb = Math.pow(0.3, t);
        double zc = Math.pow(0.2, t);
        double sharp = (za * -Math.log(0.5) + zb * -Math.log(0.3) + zc * -Math.log(0.2)) / (za + zb + zc);
        assertThat(ce.temperatureMean()[20]).isCloseTo(sharp, within(1e-12));

        // Brier with label y: Σp² + 1 − 2p_y = 1.38 − 2p_y; at t = 1: 1.38 − 2·0.38
        PredictionPoint brier = PredictionPoint.of(json("{\"a\":0.5,\"b\":0.3,\"c\":0.2}"), Optional.of(LossFunction.BRIER), EPS);
        assertThat(brier.temperatureMean()[10]).isCloseTo(1.38 - 0.76, within(1e-12));

        PredictionPoint.Lesson lesson = PredictionPoint.lesson(json("{\"a\":0.5,\"b\":0.3,\"c\":0.2}"), json("\"b\""), EPS);
        assertThat(lesson.logLikelihood()[10]).isCloseTo(Math.log(0.3), within(1e-12));
        assertThat(PredictionPoint.lesson(json("{\"0\":0.5,\"1\":0.3}"), json("1"), EPS).logLikelihood()[10])
                .isCloseTo(Math.log(0.3 / 0.8), within(1e-12));
        assertThat(PredictionPoint.lesson(json("{\"a\":0.5}"), json("\"z\""), EPS)).isNull();
    }

    /**
     * An under-confident multi-class model (the truth is softmax(z), the model says softmax(0.6·z)): the fitted
     * temperature is near 1/0.6, and a window's estimate is within 2% of the exact expectation.
     */
    @Test
    void learnsAMultiClassModelsTemperature() {
        Random r = new Random(11);
        Calibration c = new Calibration();
        for (int i = 0; i < 5_000; i++) {
            double[] z = {r.nextGaussian() * 2, r.nextGaussian() * 2, r.nextGaussian() * 2};
            double[] truth = softmax(z, 1);
            double u = r.nextDouble();
            int y = u < truth[0] ? 0 : u < truth[0] + truth[1] ? 1 : 2;
            c.learn("cross_entropy", PredictionPoint.lesson(json(classes(softmax(z, 0.6))), json("\"" + y + "\""), EPS));
        }
        assertThat(Math.exp(Temperature.fit(c.temperatureLogLikelihood).u())).isCloseTo(1 / 0.6, within(0.1));
        PredictionSketch window = new PredictionSketch();
        double exact = 0;
        for (int i = 0; i < 1_000; i++) {
            double[] z = {r.nextGaussian() * 0.9, r.nextGaussian() * 0.9, r.nextGaussian() * 0.9}; // more hard cases
            double[] model = softmax(z, 0.6);
            double[] truth = softmax(z, 1);
            window.add(PredictionPoint.of(json(classes(model)), Optional.empty(), EPS));
            for (int k = 0; k < 3; k++) {
                exact += truth[k] * -Math.log(model[k]);
            }
        }
        exact /= 1_000;
        assertThat(c.estimate(window, 1000).mean()).isCloseTo(exact, within(0.02 * exact));
    }

    private static double[] softmax(double[] z, double t) {
        double[] e = new double[z.length];
        double total = 0;
        for (int k = 0; k < z.length; k++) {
            e[k] = Math.exp(t * z[k]);
            total += e[k];
        }
        for (int k = 0; k < z.length; k++) {
            e[k] /= total;
        }
        return e;
    }

    private static String classes(double[] p) {
        return "{\"0\":" + p[0] + ",\"1\":" + p[1] + ",\"2\":" + p[2] + "}";
    }

    @Test
    void aRegressionPredictionHasNoEstimate() {
        PredictionPoint p = PredictionPoint.of(json("5"), Optional.empty(), EPS);
        assertThat(p.estimable()).isFalse();
        assertThat(p.value()).isEqualTo(5.0);
        // signed log ln(1 + 5) = 1.7918, in bins 0.05 wide, apart from the probabilities' bins
        assertThat(p.driftBin()).isEqualTo(1_000_000 + 35);
        assertThat(PredictionPoint.of(json("0.5"), Optional.of(LossFunction.MSE), EPS).estimable()).isFalse();
    }

    @Property(tries = 200)
    void binsMergedInAnyOrderEqualOneByOne(@ForAll @Size(max = 60) List<@IntRange(min = -40, max = 40) Integer> keys,
                                          @ForAll @IntRange(min = 0, max = 60) int split) {
        SparseBins all = new SparseBins(2);
        SparseBins a = new SparseBins(2);
        SparseBins b = new SparseBins(2);
        SparseBins counts = new SparseBins(1);
        for (int i = 0; i < keys.size(); i++) {
            int k = keys.get(i);
            counts.add(k, 1.0);
            assertThat(counts.total(0)).isEqualTo(i + 1);
            all.add(k, 1.0, k * 0.5);
            (i < split ? a : b).add(k, 1.0, k * 0.5);
        }
        b.merge(a);
        assertThat(b).isEqualTo(all);
        int[] ks = all.keys();
        for (int i = 1; i < ks.length; i++) {
            assertThat(ks[i]).isGreaterThan(ks[i - 1]);
        }
        assertThat(all.total(0)).isEqualTo(keys.size());
    }

    @Test
    void perfectlyCalibratedLabelsGiveTheExactExpectedLoss() {
        Calibration c = new Calibration();
        // 50 labels at 0.2 of which 10 came true, 50 at 0.8 of which 40: the logistic fit is the identity
        for (int i = 0; i < 50; i++) {
            c.learn("log_loss", PredictionPoint.lesson(json("0.2"), json(i < 10 ? "1" : "0"), EPS));
            c.learn("log_loss", PredictionPoint.lesson(json("0.8"), json(i < 40 ? "1" : "0"), EPS));
        }
        PredictionSketch window = new PredictionSketch();
        window.add(PredictionPoint.of(json("0.2"), Optional.empty(), EPS));
        window.add(PredictionPoint.of(json("0.8"), Optional.empty(), EPS));
        double expected = -(0.2 * Math.log(0.2) + 0.8 * Math.log(0.8));
        Calibration.Estimate e = c.estimate(window, 100);
        assertThat(e.mean()).isCloseTo(expected, within(1e-12));
        assertThat(e.low()).isLessThan(expected);
        assertThat(e.high()).isGreaterThan(expected);
        assertThat(c.estimate(window, 101)).as("fewer labels than the minimum").isNull();
        PredictionSketch brier = new PredictionSketch();
        brier.add(PredictionPoint.of(json("0.2"), Optional.of(LossFunction.BRIER), EPS));
        assertThat(c.estimate(brier, 1)).as("another loss than the calibration's").isNull();
    }

    /**
     * An under-confident model (the truth is sigmoid(2z) where it says sigmoid(z)): learned from 20,000 labels,
     * the estimate of a window's expected loss is within 2% of the exact expectation, worked out here from the
     * true probabilities; the model's own probabilities (no calibration) are far off.
     */
    @Test
    void learnsAnUnderConfidentModelsCalibration() {
        Random r = new Random(7);
        Calibration c = new Calibration();
        for (int i = 0; i < 20_000; i++) {
            double z = r.nextGaussian() * 1.5;
            c.learn("log_loss", new PredictionPoint.Lesson(new double[] {z},
                    new boolean[] {r.nextDouble() < Calibration.sigmoid(2 * z)}, new double[0]));
        }
        PredictionSketch window = new PredictionSketch();
        double exact = 0;
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            double z = r.nextGaussian() * 1.5 + 0.5; // a covariate shift: more predictions of y = 1
            double p = Calibration.sigmoid(z);
            window.add(PredictionPoint.of(json(Double.toString(p)), Optional.empty(), EPS));
            double q = Calibration.sigmoid(2 * z);
            exact += -(q * Math.log(p) + (1 - q) * Math.log1p(-p));
        }
        exact /= n;
        Calibration.Estimate e = c.estimate(window, 1000);
        assertThat(e.mean()).isCloseTo(exact, within(0.02 * exact));
        Calibration.Estimate naive = c.estimate(window, 1000, Calibration.Method.IDENTITY);
        assertThat(Math.abs(naive.mean() - exact)).isGreaterThan(0.1 * exact);
    }

    @Test
    void psiByHand() {
        SparseBins reference = new SparseBins(1);
        reference.add(-14, 50.0);
        reference.add(13, 50.0);
        SparseBins window = new SparseBins(1);
        window.add(-14, 1.0);
        window.add(13, 3.0);
        // groups: below the reference, its two bins, above it; every share smoothed by half a prediction:
        // reference (0.5, 50.5, 50.5, 0.5)/102, window (0.5, 1.5, 3.5, 0.5)/6
        double[] e = {0.5 / 102, 50.5 / 102, 50.5 / 102, 0.5 / 102};
        double[] a = {0.5 / 6, 1.5 / 6, 3.5 / 6, 0.5 / 6};
        assertThat(Psi.of(reference, window)).isCloseTo(psi(a, e), within(1e-12));
        assertThat(Psi.of(reference, new SparseBins(1))).isNull();
    }

    /** A reference of one value (a version that first predicted a constant) still sees a window move away. */
    @Test
    void psiOfAOneValueReferenceSeesAWindowMoveOutsideIt() {
        SparseBins reference = new SparseBins(1);
        reference.add(0, 1000.0);
        SparseBins same = new SparseBins(1);
        same.add(0, 1000.0);
        SparseBins moved = new SparseBins(1);
        moved.add(46, 1000.0); // logit of 0.99 in bins 0.1 wide
        // (below, the value, above): reference (0.5, 1000.5, 0.5)/1001.5; the moved window (0.5, 0.5, 1000.5)/1001.5
        double[] e = {0.5 / 1001.5, 1000.5 / 1001.5, 0.5 / 1001.5};
        assertThat(Psi.of(reference, same)).isCloseTo(0.0, within(1e-15));
        assertThat(Psi.of(reference, moved)).isCloseTo(psi(new double[] {e[0], e[2], e[1]}, e), within(1e-12))
                .isGreaterThan(10);
    }

    /** Ten groups of equal reference mass; values below the reference have a group of their own. */
    @Test
    void psiGroupsTheReferenceIntoDeciles() {
        SparseBins reference = new SparseBins(1);
        for (int k = 0; k < 100; k++) {
            reference.add(k, 10.0);
        }
        SparseBins window = new SparseBins(1);
        window.add(-5, 100.0); // all below the reference
        window.add(5, 100.0); // all in the first decile
        // 12 groups: below, ten deciles of 100, above; reference (0.5, 100.5 × 10, 0.5)/1006, window (100.5, 100.5,
        // 0.5 × 9, 0.5)/206
        double[] e = new double[12];
        double[] a = new double[12];
        for (int g = 0; g < 12; g++) {
            e[g] = (g == 0 || g == 11 ? 0.5 : 100.5) / 1006;
            a[g] = (g == 0 || g == 1 ? 100.5 : 0.5) / 206;
        }
        assertThat(Psi.of(reference, window)).isCloseTo(psi(a, e), within(1e-12));
    }

    private static double psi(double[] a, double[] e) {
        double total = 0;
        for (int g = 0; g < a.length; g++) {
            total += (a[g] - e[g]) * Math.log(a[g] / e[g]);
        }
        return total;
    }

    @Test
    void aBinaryCalibrationWithLabelsOfOneKindOnlyGivesNoEstimate() {
        Calibration c = new Calibration();
        for (int i = 0; i < 2000; i++) {
            c.learn("log_loss", PredictionPoint.lesson(json("0.002"), json(i < 9 ? "1" : "0"), EPS));
        }
        PredictionSketch window = new PredictionSketch();
        window.add(PredictionPoint.of(json("0.002"), Optional.empty(), EPS));
        assertThat(c.estimate(window, 1000)).as("9 positives < 10").isNull();
        c.learn("log_loss", PredictionPoint.lesson(json("0.002"), json("1"), EPS));
        assertThat(c.estimate(window, 1000)).isNotNull();
    }

}
