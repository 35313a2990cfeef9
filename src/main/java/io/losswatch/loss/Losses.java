package io.losswatch.loss;

import java.util.Map;

/**
 * The loss formulas, pure and allocation-free. Probabilities are clipped to [eps, 1-eps] before a
 * log so every loss is finite; multi-class probabilities are normalised to sum 1 first.
 */
public final class Losses {
    private Losses() {
    }

    public static double clip(double p, double eps) {
        return Math.min(Math.max(p, eps), 1.0 - eps);
    }

    /** True when clipping changes p, i.e. the prediction was more confident than eps allows. */
    public static boolean isClipped(double p, double eps) {
        return p < eps || p > 1.0 - eps;
    }

    /** Binary cross-entropy −(y·ln ŷ + (1−y)·ln(1−ŷ)) for y ∈ {0, 1}. */
    public static double logLoss(double p, int y, double eps) {
        double q = clip(p, eps);
        // log1p keeps precision for ŷ near 0 in the (1−ŷ) term
        return y == 1 ? -Math.log(q) : -Math.log1p(-q);
    }

    /** −ln p(label) over probabilities normalised to sum 1. The label must be a key of probs. */
    public static double crossEntropy(Map<String, Double> probs, String label, double eps) {
        return -Math.log(clip(probs.get(label) / sum(probs), eps));
    }

    /** The normalised probability of the true class, before clipping. */
    public static double trueClassProbability(Map<String, Double> probs, String label) {
        return probs.get(label) / sum(probs);
    }

    /** (ŷ − y)² for a binary probability. */
    public static double brierBinary(double p, int y) {
        double d = p - y;
        return d * d;
    }

    /** Σ_k (p_k − 1[k = label])² over normalised probabilities; in [0, 2]. */
    public static double brierMultiClass(Map<String, Double> probs, String label) {
        double total = sum(probs);
        double loss = 0.0;
        for (Map.Entry<String, Double> e : probs.entrySet()) {
            double d = e.getValue() / total - (e.getKey().equals(label) ? 1.0 : 0.0);
            loss += d * d;
        }
        return loss;
    }

    public static double squaredError(double prediction, double label) {
        double d = prediction - label;
        return d * d;
    }

    public static double absoluteError(double prediction, double label) {
        return Math.abs(prediction - label);
    }

    private static double sum(Map<String, Double> probs) {
        double total = 0.0;
        for (double p : probs.values()) {
            total += p;
        }
        return total;
    }
}
