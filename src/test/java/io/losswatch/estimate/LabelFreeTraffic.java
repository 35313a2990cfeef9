package io.losswatch.estimate;

import java.util.Locale;
import java.util.Random;

/**
 * Real-looking scores for the label-free evaluation (docs/estimation.md): a model's predictions and the
 * labels that later come, from a known truth, so each window's expected loss is known too.
 *
 * <p>Binary: a case's true log-odds z ~ N(0, spread²); the truth is P(y=1) = σ(z); the model says σ(sharpness·z)
 * (1: calibrated; 0.5: under-confident, as a regularised logistic regression typically is); distorted: the
 * model says σ(z) but the truth is σ(z + 1.2·sin(1.5·z)), a miscalibration no logistic curve follows (only
 * in the method comparison, where it tells the methods apart). Multi-class (3
 * classes): true logits z_k ~ N(0, spread²), truth softmax(z), model softmax(sharpness·z).
 *
 * <p>Shifts, from a given window on: covariate (more hard cases: the spread of z falls, the same model and
 * the same truth given z, so the calibration still holds), concept (same inputs and predictions, the outcomes
 * follow σ(0.3·z) instead: the predictions cannot show it), or none.
 */
final class LabelFreeTraffic {
    enum Kind { CALIBRATED, UNDER_CONFIDENT, DISTORTED, MULTI_CLASS }

    enum Shift { NONE, COVARIATE, CONCEPT }

    static final double SPREAD = 2.0;
    static final double HARD_SPREAD = 0.9;
    static final double CONCEPT_SHARPNESS = 0.3;

    /** One prediction: its JSON value, its label's JSON value, and its expected loss under the truth. */
    record Case(String prediction, String label, double expectedLoss) {
    }

    private final Kind kind;
    private final Random random;

    LabelFreeTraffic(Kind kind, long seed) {
        this.kind = kind;
        this.random = new Random(seed);
    }

    Case next(boolean shifted, Shift shift) {
        double spread = shifted && shift == Shift.COVARIATE ? HARD_SPREAD : SPREAD;
        double truthSharpness = shifted && shift == Shift.CONCEPT ? CONCEPT_SHARPNESS : 1.0;
        if (kind == Kind.MULTI_CLASS) {
            double[] z = new double[3];
            for (int k = 0; k < 3; k++) {
                z[k] = random.nextGaussian() * spread;
            }
            double[] model = softmax(z, 0.6);
            double[] truth = softmax(z, truthSharpness);
            double u = random.nextDouble();
            int y = u < truth[0] ? 0 : u < truth[0] + truth[1] ? 1 : 2;
            double expected = 0;
            for (int k = 0; k < 3; k++) {
                expected += truth[k] * -Math.log(model[k]);
            }
            String prediction = String.format(Locale.ROOT, "{\"0\":%s,\"1\":%s,\"2\":%s}", model[0], model[1], model[2]);
            return new Case(prediction, "\"" + y + "\"", expected);
        }
        double z = random.nextGaussian() * spread;
        double p = sigmoid((kind == Kind.UNDER_CONFIDENT ? 0.5 : 1.0) * z);
        double truthZ = kind == Kind.DISTORTED ? z + 1.2 * Math.sin(1.5 * z) : z;
        double q = sigmoid(truthSharpness * truthZ);
        int y = random.nextDouble() < q ? 1 : 0;
        double expected = -(q * Math.log(p) + (1 - q) * Math.log1p(-p));
        return new Case(Double.toString(p), Integer.toString(y), expected);
    }

    private static double[] softmax(double[] z, double sharpness) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v * sharpness);
        }
        double[] e = new double[z.length];
        double total = 0;
        for (int k = 0; k < z.length; k++) {
            e[k] = Math.exp(z[k] * sharpness - max);
            total += e[k];
        }
        for (int k = 0; k < z.length; k++) {
            e[k] /= total;
        }
        return e;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
