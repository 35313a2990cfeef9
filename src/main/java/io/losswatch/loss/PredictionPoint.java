package io.losswatch.loss;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * What one prediction tells before its label comes (CONTRACT §9): the value its window's mean and drift
 * are computed on, and for a classifier its loss as a sum over events whose probabilities the calibration
 * learns.
 *
 * <p>Each event i has a calibration score {@code z[i]} (a logit) and comes true with a probability q(z[i])
 * that the model version's labelled predictions teach ({@link Calibration}). The prediction's expected loss
 * is Σ_i (wrong[i] + q(z[i])·gap[i]). Binary: one event, y = 1, scored by the logit of P(y=1); its loss is
 * wrong if y = 0 and wrong + gap if y = 1. Multi-class: one event per class, "this class is the label",
 * scored by the logit of its probability (the classes share one calibration: class-wise calibration, pooled);
 * cross-entropy is Σ_k 1[y = k]·(−ln p_k), so wrong[k] = 0 and gap[k] = −ln p_k; Brier is Σp² + 1 − 2p_y, so
 * the constant is spread over the classes' wrong and gap[k] = −2p_k. An event's expectation is exact given
 * q; that the class events of one prediction add up to one label is not imposed (docs/estimation.md).
 *
 * @param value    the predicted value the window's mean is taken of: P(y=1), the top class's probability, or the number
 * @param driftBin the bin of the value the psi histogram counts (logit scale for probabilities, signed log for other numbers)
 * @param function the loss the events are computed for, or null when there is no estimate (regression)
 * @param z        each event's calibration score (a logit, probabilities clipped by epsilon)
 * @param wrong    each event's share of the loss whatever the label
 * @param gap      what each event adds to the loss when it comes true
 */
public record PredictionPoint(double value, int driftBin, String function, double[] z, double[] wrong, double[] gap) {

    /** Width of a psi bin on the logit scale (probabilities) and on the signed log scale (other numbers). */
    static final double DRIFT_LOGIT_WIDTH = 0.1;
    static final double DRIFT_LOG_WIDTH = 0.05;
    /** Bins of numbers that are not probabilities start here, apart from the probabilities' bins. */
    static final int DRIFT_NUMBER_OFFSET = 1_000_000;
    /** Width of a calibration bin on the logit scale, and the range beyond which scores share the end bins. */
    public static final double CALIBRATION_WIDTH = 0.25;
    static final double CALIBRATION_RANGE = 15.0;
    private static final double[] NONE = new double[0];

    /** The calibration bin of score z. */
    public static int calibrationBin(double z) {
        double c = Math.max(-CALIBRATION_RANGE, Math.min(z, CALIBRATION_RANGE - 1e-9));
        return (int) Math.floor(c / CALIBRATION_WIDTH);
    }

    /** Whether this point has an estimate (a classifier's loss). */
    public boolean estimable() {
        return function != null;
    }

    /**
     * The point of a prediction (a number or an object of class probabilities that passed the parser),
     * with the loss configured for its model (empty: auto, which takes a number in [0,1] for a binary
     * probability and an object for multi-class).
     */
    public static PredictionPoint of(JsonNode prediction, Optional<LossFunction> configured, double eps) {
        if (prediction.isObject()) {
            LossFunction f = configured.orElse(LossFunction.CROSS_ENTROPY);
            return multiClass(prediction, f == LossFunction.BRIER || f == LossFunction.CROSS_ENTROPY ? f : null, eps);
        }
        double x = prediction.doubleValue();
        LossFunction f = configured.orElse(x >= 0 && x <= 1 ? LossFunction.LOG_LOSS : LossFunction.MSE);
        if ((f == LossFunction.LOG_LOSS || f == LossFunction.BRIER) && x >= 0 && x <= 1) {
            return binary(x, f, eps);
        }
        return number(x);
    }

    /**
     * Which of a labelled prediction's events came true: binary, whether y = 1; multi-class, for each class in
     * the prediction's order, whether it is the label (a string, or an integer naming a class).
     */
    public static boolean[] outcomes(JsonNode prediction, JsonNode label) {
        if (prediction.isObject()) {
            String name = label.isTextual() ? label.textValue() : label.isIntegralNumber() ? label.bigIntegerValue().toString() : null;
            boolean[] out = new boolean[prediction.size()];
            int k = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = prediction.properties().iterator(); it.hasNext(); k++) {
                out[k] = it.next().getKey().equals(name);
            }
            return out;
        }
        return new boolean[] {label.isBoolean() ? label.booleanValue() : label.isNumber() && label.doubleValue() == 1.0};
    }

    static PredictionPoint binary(double p, LossFunction f, double eps) {
        double pc = Losses.clip(p, eps);
        double z = Math.log(pc) - Math.log1p(-pc);
        double right;
        double wrong;
        if (f == LossFunction.LOG_LOSS) {
            right = -Math.log(pc);
            wrong = -Math.log1p(-pc);
        } else {
            right = (1 - p) * (1 - p);
            wrong = p * p;
        }
        return new PredictionPoint(p, logitBin(z), f.id(), new double[] {z}, new double[] {wrong},
                new double[] {right - wrong});
    }

    static PredictionPoint number(double x) {
        double signedLog = Math.signum(x) * Math.log1p(Math.abs(x));
        int bin = DRIFT_NUMBER_OFFSET + (int) Math.floor(signedLog / DRIFT_LOG_WIDTH);
        return new PredictionPoint(x, bin, null, NONE, NONE, NONE);
    }

    private static PredictionPoint multiClass(JsonNode prediction, LossFunction f, double eps) {
        int k = prediction.size();
        double[] p = new double[k];
        double total = 0;
        double top = -1;
        int i = 0;
        for (Iterator<JsonNode> it = prediction.elements(); it.hasNext(); i++) {
            p[i] = it.next().doubleValue();
            total += p[i];
            top = Math.max(top, p[i]);
        }
        double pt = Losses.clip(top / total, eps);
        int drift = logitBin(Math.log(pt) - Math.log1p(-pt));
        if (f == null) {
            return new PredictionPoint(top / total, drift, null, NONE, NONE, NONE);
        }
        double squares = 0;
        for (int j = 0; j < k; j++) {
            p[j] /= total;
            squares += p[j] * p[j];
        }
        double[] z = new double[k];
        double[] wrong = new double[k];
        double[] gap = new double[k];
        for (int j = 0; j < k; j++) {
            double pc = Losses.clip(p[j], eps);
            z[j] = Math.log(pc) - Math.log1p(-pc);
            if (f == LossFunction.CROSS_ENTROPY) {
                gap[j] = -Math.log(pc);
            } else {
                wrong[j] = (squares + 1) / k;
                gap[j] = -2 * p[j];
            }
        }
        return new PredictionPoint(top / total, drift, f.id(), z, wrong, gap);
    }

    private static int logitBin(double z) {
        double c = Math.max(-16.0, Math.min(z, 16.0 - 1e-9));
        return (int) Math.floor(c / DRIFT_LOGIT_WIDTH);
    }
}
