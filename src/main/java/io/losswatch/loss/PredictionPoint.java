package io.losswatch.loss;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * What one prediction tells before its label comes (CONTRACT §9): the value its window's mean and drift
 * are computed on, and for a classifier its loss as a sum over events whose probabilities the calibration
 * learns; for a multi-class model, its expected loss at each temperature ({@link Temperature}).
 *
 * <p>Binary. Each event i has a calibration score {@code z[i]} (a logit) and comes true with a probability q(z[i])
 * that the model version's labelled predictions teach ({@link Calibration}). The prediction's expected loss
 * is Σ_i (wrong[i] + q(z[i])·gap[i]). Binary: one event, y = 1, scored by the logit of P(y=1); its loss is
 * wrong if y = 0 and wrong + gap if y = 1. Multi-class: temperature scaling; class-wise calibration of each
 * class's probability was measured and did not hold under covariate shift (docs/estimation.md).
 *
 * @param value    the predicted value the window's mean is taken of: P(y=1), the top class's probability, or the number
 * @param driftBin the bin of the value the psi histogram counts (logit scale for probabilities, signed log for other numbers)
 * @param function the loss the events are computed for, or null when there is no estimate (regression)
 * @param z        each event's calibration score (a logit, probabilities clipped by epsilon)
 * @param wrong    each event's share of the loss whatever the label
 * @param gap      what each event adds to the loss when it comes true
 * @param temperatureMean     multi-class: its expected loss at each point of {@link Temperature}'s grid (else empty)
 * @param temperatureVariance multi-class: the variance of its loss at each grid point (else empty)
 */
public record PredictionPoint(double value, int driftBin, String function, double[] z, double[] wrong, double[] gap,
                              double[] temperatureMean, double[] temperatureVariance) {

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

    /** The loss {@link #of} would estimate the prediction with (null: none), without computing the point. */
    public static String functionOf(JsonNode prediction, Optional<LossFunction> configured) {
        if (prediction.isObject()) {
            LossFunction f = configured.orElse(LossFunction.CROSS_ENTROPY);
            return f == LossFunction.BRIER || f == LossFunction.CROSS_ENTROPY ? f.id() : null;
        }
        double x = prediction.doubleValue();
        LossFunction f = configured.orElse(x >= 0 && x <= 1 ? LossFunction.LOG_LOSS : LossFunction.MSE);
        return (f == LossFunction.LOG_LOSS || f == LossFunction.BRIER) && x >= 0 && x <= 1 ? f.id() : null;
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

    static PredictionPoint binary(double p, LossFunction f, double eps) {
        double pc = Losses.clip(p, eps);
        double logP = Math.log(pc);
        double log1mP = Math.log1p(-pc);
        double z = logP - log1mP;
        double right;
        double wrong;
        if (f == LossFunction.LOG_LOSS) {
            right = -logP;
            wrong = -log1mP;
        } else {
            right = (1 - p) * (1 - p);
            wrong = p * p;
        }
        return new PredictionPoint(p, logitBin(z), f.id(), new double[] {z}, new double[] {wrong},
                new double[] {right - wrong}, NONE, NONE);
    }

    static PredictionPoint number(double x) {
        double signedLog = Math.signum(x) * Math.log1p(Math.abs(x));
        int bin = DRIFT_NUMBER_OFFSET + (int) Math.floor(signedLog / DRIFT_LOG_WIDTH);
        return new PredictionPoint(x, bin, null, NONE, NONE, NONE, NONE, NONE);
    }

    private static PredictionPoint multiClass(JsonNode prediction, LossFunction f, double eps) {
        double[] p = probabilities(prediction);
        double top = 0;
        for (double v : p) {
            top = Math.max(top, v);
        }
        double pt = Losses.clip(top, eps);
        int drift = logitBin(Math.log(pt) - Math.log1p(-pt));
        if (f == null) {
            return new PredictionPoint(top, drift, null, NONE, NONE, NONE, NONE, NONE);
        }
        double squares = 0;
        for (double v : p) {
            squares += v * v;
        }
        double[] logP = new double[p.length];
        double[] loss = new double[p.length];
        for (int k = 0; k < p.length; k++) {
            logP[k] = Math.log(Losses.clip(p[k], eps));
            // cross-entropy −ln p_y; Brier with label y: Σp² − 2p_y + 1
            loss[k] = f == LossFunction.CROSS_ENTROPY ? -logP[k] : squares - 2 * p[k] + 1;
        }
        double[] mean = new double[Temperature.POINTS];
        double[] variance = new double[Temperature.POINTS];
        Temperature.expectations(logP, loss, mean, variance);
        return new PredictionPoint(top, drift, f.id(), NONE, NONE, NONE, mean, variance);
    }

    /** Class probabilities normalised to sum 1, in the object's order. */
    private static double[] probabilities(JsonNode prediction) {
        double[] p = new double[prediction.size()];
        double total = 0;
        int i = 0;
        for (Iterator<JsonNode> it = prediction.elements(); it.hasNext(); i++) {
            p[i] = it.next().doubleValue();
            total += p[i];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= total;
        }
        return p;
    }

    /**
     * What a labelled prediction teaches the calibration: binary, its event's score and whether y = 1; multi-class,
     * the label's log-likelihood at every temperature. Null if the label names no class of the prediction.
     */
    public static Lesson lesson(JsonNode prediction, JsonNode label, double eps) {
        if (prediction.isObject()) {
            String name = label.isTextual() ? label.textValue() : label.isIntegralNumber() ? label.bigIntegerValue().toString() : null;
            int k = 0;
            int y = -1;
            for (Iterator<Map.Entry<String, JsonNode>> it = prediction.properties().iterator(); it.hasNext(); k++) {
                if (it.next().getKey().equals(name)) {
                    y = k;
                }
            }
            if (y < 0) {
                return null;
            }
            double[] p = probabilities(prediction);
            double[] logP = new double[p.length];
            for (int j = 0; j < p.length; j++) {
                logP[j] = Math.log(Losses.clip(p[j], eps));
            }
            return new Lesson(NONE, new boolean[0], Temperature.logLikelihoods(logP, y));
        }
        double pc = Losses.clip(prediction.doubleValue(), eps);
        boolean y1 = label.isBoolean() ? label.booleanValue() : label.isNumber() && label.doubleValue() == 1.0;
        return new Lesson(new double[] {Math.log(pc) - Math.log1p(-pc)}, new boolean[] {y1}, NONE);
    }

    /** As {@link #lesson(JsonNode, JsonNode, double)}, reusing this point's score for a binary prediction. */
    public Lesson lessonFor(JsonNode prediction, JsonNode label, double eps) {
        if (!prediction.isObject() && z.length == 1) {
            boolean y1 = label.isBoolean() ? label.booleanValue() : label.isNumber() && label.doubleValue() == 1.0;
            return new Lesson(z, new boolean[] {y1}, NONE);
        }
        return lesson(prediction, label, eps);
    }

    /**
     * What one labelled prediction teaches: binary, its events' scores and whether each came true; multi-class,
     * its label's log-likelihood at every temperature of {@link Temperature}'s grid.
     */
    public record Lesson(double[] z, boolean[] cameTrue, double[] logLikelihood) {
    }

    private static int logitBin(double z) {
        double c = Math.max(-16.0, Math.min(z, 16.0 - 1e-9));
        return (int) Math.floor(c / DRIFT_LOGIT_WIDTH);
    }
}
