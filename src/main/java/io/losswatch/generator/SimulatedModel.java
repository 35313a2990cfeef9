package io.losswatch.generator;

import java.util.SplittableRandom;

/**
 * One deployed binary classifier and the world it predicts. The world is a hidden logistic model:
 * features x ~ N(0, I), P(y=1 | x) = σ(w·x + b). The served model learnt it imperfectly: its score
 * is σ(ŵ·x + b̂ + noise) with ŵ, b̂ close to w, b. So its scores are realistic: mostly confident,
 * mostly right, calibrated only roughly, with a log loss that depends on how separable the world is.
 *
 * <p>Drift is concept drift, as in production: the world changes and the served model does not.
 * With drift level α ∈ [0, 1] the world's weights move from w towards −w, and the served model's
 * expected log loss rises monotonically with α. {@link #alphaForRise} finds the α that raises it by a
 * given amount.
 *
 * <p>A covariate shift is the other kind: the world stays, its inputs change. With hard-case share β a
 * share β of the inputs lie near the world's decision boundary (their true logit w·x + b is drawn around 0),
 * so the served model's scores move towards 0.5 and its loss rises, while its calibration, what a score
 * means, stays as it was. {@link #hardShareForRise} finds the β that raises the expected log loss by a
 * given amount.
 */
final class SimulatedModel {
    static final int FEATURES = 5;
    private static final double EPSILON = 1e-15;
    private static final int CALIBRATION_SAMPLES = 20_000;
    /** A hard case's true logit is drawn from N(0, this²): its label is nearly a coin toss. */
    static final double HARD_LOGIT_SPREAD = 0.5;

    final String name;
    final String version;
    final boolean labelsInline;
    private final double[] w = new double[FEATURES];
    private final double b;
    private final double[] served = new double[FEATURES];
    private final double servedBias;
    private final double scoreNoise;

    SimulatedModel(String name, String version, boolean labelsInline, SplittableRandom rng) {
        this(name, version, labelsInline, rng, 1.5, 1.5);
    }

    /**
     * A model whose world's weights have a norm from minNorm to minNorm + normSpread: how separable the world
     * is (larger weights, more confident and lower-loss predictions).
     */
    SimulatedModel(String name, String version, boolean labelsInline, SplittableRandom rng, double minNorm,
                   double normSpread) {
        this.name = name;
        this.version = version;
        this.labelsInline = labelsInline;
        double norm = minNorm + normSpread * rng.nextDouble();
        double sum = 0;
        for (int i = 0; i < FEATURES; i++) {
            w[i] = gaussian(rng);
            sum += w[i] * w[i];
        }
        for (int i = 0; i < FEATURES; i++) {
            w[i] *= norm / Math.sqrt(sum);
        }
        // mostly negatives, as in most deployed classifiers
        b = -0.5 + 0.5 * gaussian(rng);
        // the served model: the world's weights, learnt with some error
        double error = 0.12 * norm / Math.sqrt(FEATURES);
        for (int i = 0; i < FEATURES; i++) {
            served[i] = w[i] + error * gaussian(rng);
        }
        servedBias = b + 0.1 * gaussian(rng);
        scoreNoise = 0.2 + 0.2 * rng.nextDouble();
    }

    /** One prediction and its true label at drift level alpha. */
    Sample sample(SplittableRandom rng, double alpha) {
        double servedLogit = servedBias + scoreNoise * gaussian(rng);
        double worldLogit = b;
        for (int i = 0; i < FEATURES; i++) {
            double x = gaussian(rng);
            servedLogit += served[i] * x;
            worldLogit += (1 - 2 * alpha) * w[i] * x;
        }
        double score = sigmoid(servedLogit);
        int label = rng.nextDouble() < sigmoid(worldLogit) ? 1 : 0;
        return new Sample(score, label);
    }

    /**
     * One prediction and its true label with no concept drift, the input a hard case (near the world's
     * decision boundary) with probability hardShare.
     */
    Sample sampleShifted(SplittableRandom rng, double hardShare) {
        double[] x = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            x[i] = gaussian(rng);
        }
        if (rng.nextDouble() < hardShare) {
            toBoundary(x, HARD_LOGIT_SPREAD * gaussian(rng));
        }
        double servedLogit = servedBias + scoreNoise * gaussian(rng);
        double worldLogit = b;
        for (int i = 0; i < FEATURES; i++) {
            servedLogit += served[i] * x[i];
            worldLogit += w[i] * x[i];
        }
        return new Sample(sigmoid(servedLogit), rng.nextDouble() < sigmoid(worldLogit) ? 1 : 0);
    }

    /** Moves x along w until the world's logit w·x + b is trueLogit; the other directions stay as drawn. */
    private void toBoundary(double[] x, double trueLogit) {
        double dot = b;
        double norm2 = 0;
        for (int i = 0; i < FEATURES; i++) {
            dot += w[i] * x[i];
            norm2 += w[i] * w[i];
        }
        double t = (dot - trueLogit) / norm2;
        for (int i = 0; i < FEATURES; i++) {
            x[i] -= t * w[i];
        }
    }

    /** The served model's expected log loss when a share hardShare of the inputs are hard cases. */
    double expectedLogLossShifted(double hardShare, long seed) {
        return (1 - hardShare) * expectedLogLoss(0, seed) + hardShare * expectedHardLogLoss(seed);
    }

    /** The share of hard cases whose expected log loss is rise above the unshifted one (1 if even that is less). */
    double hardShareForRise(double rise, long seed) {
        if (rise <= 0) {
            return 0;
        }
        double gap = expectedHardLogLoss(seed) - expectedLogLoss(0, seed);
        return gap <= rise ? 1 : rise / gap;
    }

    /** The served model's expected log loss on hard cases alone (Monte Carlo, exact over the label). */
    private double expectedHardLogLoss(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double total = 0;
        double[] x = new double[FEATURES];
        for (int n = 0; n < CALIBRATION_SAMPLES; n++) {
            for (int i = 0; i < FEATURES; i++) {
                x[i] = gaussian(rng);
            }
            toBoundary(x, HARD_LOGIT_SPREAD * gaussian(rng));
            double servedLogit = servedBias + scoreNoise * gaussian(rng);
            double worldLogit = b;
            for (int i = 0; i < FEATURES; i++) {
                servedLogit += served[i] * x[i];
                worldLogit += w[i] * x[i];
            }
            double p = Math.min(Math.max(sigmoid(servedLogit), EPSILON), 1 - EPSILON);
            double q = sigmoid(worldLogit);
            total += -(q * Math.log(p) + (1 - q) * Math.log(1 - p));
        }
        return total / CALIBRATION_SAMPLES;
    }

    record Sample(double score, int label) {
    }

    /** The served model's expected log loss at drift level alpha (Monte Carlo, the same draws for every alpha). */
    double expectedLogLoss(double alpha, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double total = 0;
        for (int n = 0; n < CALIBRATION_SAMPLES; n++) {
            double servedLogit = servedBias + scoreNoise * gaussian(rng);
            double worldLogit = b;
            for (int i = 0; i < FEATURES; i++) {
                double x = gaussian(rng);
                servedLogit += served[i] * x;
                worldLogit += (1 - 2 * alpha) * w[i] * x;
            }
            double p = Math.min(Math.max(sigmoid(servedLogit), EPSILON), 1 - EPSILON);
            double q = sigmoid(worldLogit);
            // expectation over the label, given x: exact, so only x and the noise are sampled
            total += -(q * Math.log(p) + (1 - q) * Math.log(1 - p));
        }
        return total / CALIBRATION_SAMPLES;
    }

    /** The drift level whose expected log loss is rise above the undrifted one (1 if even that is less). */
    double alphaForRise(double rise, long seed) {
        if (rise <= 0) {
            return 0;
        }
        double base = expectedLogLoss(0, seed);
        if (expectedLogLoss(1, seed) - base <= rise) {
            return 1;
        }
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 20; i++) {
            double mid = (lo + hi) / 2;
            if (expectedLogLoss(mid, seed) - base < rise) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** A standard normal draw (Box–Muller; SplittableRandom has no nextGaussian on Java 17). */
    static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
