package io.losswatch.loss;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * What one prediction tells before its label comes (CONTRACT §9): the value its window's mean and
 * drift are computed on, and for a classifier the two losses it can end with.
 *
 * <p>A classifier's prediction comes true or not: binary, y = 1 happens with some probability q; multi-class,
 * the top class is the label with probability q. Its loss is then {@code right} or, in expectation over
 * the other classes in proportion to their predicted probabilities, {@code wrong}, so its expected loss is
 * {@code wrong + q·(right − wrong)}. q is what the calibration learns, as a function of the calibration
 * score {@code z}: the logit of P(y=1), or of the top class's probability.
 *
 * @param value    the predicted value the window's mean is taken of: P(y=1), the top class's probability, or the number
 * @param driftBin the bin of the value the psi histogram counts (logit scale for probabilities, signed log for other numbers)
 * @param function the loss the two outcomes are computed with, or null when there is no estimate (regression)
 * @param z        calibration score: logit of P(y=1) or of the top class's probability (clipped by epsilon)
 * @param right    the loss if y = 1 (binary) or if the top class is the label
 * @param wrong    the loss otherwise (multi-class: expected over the other classes)
 */
public record PredictionPoint(double value, int driftBin, String function, double z, double right, double wrong) {

    /** Width of a psi bin on the logit scale (probabilities) and on the signed log scale (other numbers). */
    static final double DRIFT_LOGIT_WIDTH = 0.1;
    static final double DRIFT_LOG_WIDTH = 0.05;
    /** Bins of numbers that are not probabilities start here, apart from the probabilities' bins. */
    static final int DRIFT_NUMBER_OFFSET = 1_000_000;
    /** Width of a calibration bin on the logit scale, and the range beyond which scores share the end bins. */
    public static final double CALIBRATION_WIDTH = 0.25;
    static final double CALIBRATION_RANGE = 15.0;

    /** The calibration bin of score z. */
    public static int calibrationBin(double z) {
        double c = Math.max(-CALIBRATION_RANGE, Math.min(z, CALIBRATION_RANGE - 1e-9));
        return (int) Math.floor(c / CALIBRATION_WIDTH);
    }

    /** Whether this point has an estimate (a classifier's loss). */
    public boolean estimable() {
        return function != null;
    }

    /** The calibration bin of this point. */
    public int calibrationBin() {
        return calibrationBin(z);
    }

    /**
     * The point of a prediction (a number or an object of class probabilities that passed the parser),
     * with the loss configured for its model (empty: auto, which takes a number in [0,1] for a binary
     * probability and an object for multi-class).
     */
    public static PredictionPoint of(JsonNode prediction, Optional<LossFunction> configured, double eps) {
        if (prediction.isObject()) {
            LossFunction f = configured.orElse(LossFunction.CROSS_ENTROPY);
            return multiClass(prediction, f == LossFunction.BRIER ? f : f == LossFunction.CROSS_ENTROPY ? f : null, eps);
        }
        double x = prediction.doubleValue();
        LossFunction f = configured.orElse(x >= 0 && x <= 1 ? LossFunction.LOG_LOSS : LossFunction.MSE);
        if ((f == LossFunction.LOG_LOSS || f == LossFunction.BRIER) && x >= 0 && x <= 1) {
            return binary(x, f, eps);
        }
        return number(x);
    }

    /** Whether a labelled prediction's outcome was "right": y = 1 (binary) or the label is the top class. */
    public static boolean right(JsonNode prediction, JsonNode label) {
        if (prediction.isObject()) {
            String top = topClass(prediction);
            String name = label.isTextual() ? label.textValue() : label.isIntegralNumber() ? label.bigIntegerValue().toString() : null;
            return top != null && top.equals(name);
        }
        return label.isBoolean() ? label.booleanValue() : label.isNumber() && label.doubleValue() == 1.0;
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
        return new PredictionPoint(p, logitBin(z), f.id(), z, right, wrong);
    }

    static PredictionPoint number(double x) {
        double signedLog = Math.signum(x) * Math.log1p(Math.abs(x));
        int bin = DRIFT_NUMBER_OFFSET + (int) Math.floor(signedLog / DRIFT_LOG_WIDTH);
        return new PredictionPoint(x, bin, null, Double.NaN, Double.NaN, Double.NaN);
    }

    private static PredictionPoint multiClass(JsonNode prediction, LossFunction f, double eps) {
        double total = 0;
        double top = -1;
        double squares = 0;
        for (Iterator<JsonNode> it = prediction.elements(); it.hasNext(); ) {
            double p = it.next().doubleValue();
            total += p;
            top = Math.max(top, p);
        }
        double pt = top / total;
        double ptc = Losses.clip(pt, eps);
        double z = Math.log(ptc) - Math.log1p(-ptc);
        if (f == null) {
            return new PredictionPoint(pt, logitBin(z), null, z, Double.NaN, Double.NaN);
        }
        // the other classes, each as likely to be the label as its share of the probability the top class leaves
        boolean topSeen = false;
        double rest = 1 - pt;
        double wrongLog = 0;
        double restSquares = 0;
        for (Iterator<JsonNode> it = prediction.elements(); it.hasNext(); ) {
            double p = it.next().doubleValue() / total;
            squares += p * p;
            if (!topSeen && p == pt) {
                topSeen = true;
                continue;
            }
            if (rest > 0) {
                wrongLog += (p / rest) * -Math.log(Losses.clip(p, eps));
                restSquares += p * p / rest;
            }
        }
        double right;
        double wrong;
        if (f == LossFunction.CROSS_ENTROPY) {
            right = -Math.log(ptc);
            // no probability left for the others: whichever is the label, its clipped loss is −ln ε
            wrong = rest > 0 ? wrongLog : -Math.log(eps);
        } else {
            // Brier over k classes with label j: Σp² − 2p_j + 1
            right = squares - 2 * pt + 1;
            wrong = rest > 0 ? squares + 1 - 2 * restSquares : squares + 1;
        }
        return new PredictionPoint(pt, logitBin(z), f.id(), z, right, wrong);
    }

    private static int logitBin(double z) {
        double c = Math.max(-16.0, Math.min(z, 16.0 - 1e-9));
        return (int) Math.floor(c / DRIFT_LOGIT_WIDTH);
    }

    /** The top class's name (the first of equal ones, in the object's order). */
    private static String topClass(JsonNode prediction) {
        String top = null;
        double best = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = prediction.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().doubleValue() > best) {
                best = e.getValue().doubleValue();
                top = e.getKey();
            }
        }
        return top;
    }
}
