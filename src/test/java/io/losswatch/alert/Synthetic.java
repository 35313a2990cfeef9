package io.losswatch.alert;

import io.losswatch.loss.Losses;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic traffic for the alert evaluation: loss distributions of several shapes, each of which
 * can be degraded so that its expected mean loss rises by an exact fraction (a "rise" of 0.5 is a 50%
 * higher mean loss). Deterministic for a given seed.
 */
final class Synthetic {
    static final double EPS = 1e-15;

    private Synthetic() {
    }

    /** One labelled prediction: what is sent (prediction, label) and the loss losswatch will compute. */
    record Sample(double prediction, double label, boolean binary, double loss) {
    }

    /** A loss distribution that can be made worse by a given relative rise of its mean. */
    interface Shape {
        String name();

        /** The loss function to configure for the model (losswatch.model.&lt;m&gt;.loss). */
        String lossFunction();

        /** Expected loss when stationary. */
        double baseMean();

        Sample draw(SplittableRandom rng, double rise);
    }

    /**
     * A binary classifier: y ~ Bernoulli(baseRate); a score x ~ N(±separation/2, 1); the calibrated
     * P(y=1|x), with its logit multiplied by overconfidence (1: calibrated; larger: heavier tails),
     * and with probability extremeRate a prediction of exactly the wrong class (loss ≈ 34.5).
     * Degraded by flipping a fraction f of predictions to 1 − p; the mean loss is linear in f, so
     * f is solved exactly from the expected losses of flipped and unflipped predictions.
     */
    static final class Binary implements Shape {
        private final String name;
        private final double baseRate;
        private final double separation;
        private final double overconfidence;
        private final double extremeRate;
        private final double lossPlain;
        private final double lossFlipped;

        Binary(String name, double baseRate, double separation, double overconfidence, double extremeRate) {
            this.name = name;
            this.baseRate = baseRate;
            this.separation = separation;
            this.overconfidence = overconfidence;
            this.extremeRate = extremeRate;
            SplittableRandom rng = new SplittableRandom(12345);
            double plain = 0;
            double flipped = 0;
            int n = 1_000_000;
            for (int i = 0; i < n; i++) {
                int y = rng.nextDouble() < baseRate ? 1 : 0;
                double p = probability(rng, y);
                plain += Losses.logLoss(p, y, EPS);
                flipped += Losses.logLoss(1 - p, y, EPS);
            }
            this.lossPlain = plain / n;
            this.lossFlipped = flipped / n;
        }

        private double probability(SplittableRandom rng, int y) {
            if (extremeRate > 0 && rng.nextDouble() < extremeRate) {
                return 1 - y;
            }
            double x = gaussian(rng) + (y == 1 ? separation / 2 : -separation / 2);
            double logit = Math.log(baseRate / (1 - baseRate)) + separation * x;
            return 1 / (1 + Math.exp(-overconfidence * logit));
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String lossFunction() {
            return "log_loss";
        }

        @Override
        public double baseMean() {
            return lossPlain;
        }

        /** The fraction of flipped predictions that raises the mean loss by rise. */
        double flipFraction(double rise) {
            return Math.min(1.0, rise * lossPlain / (lossFlipped - lossPlain));
        }

        @Override
        public Sample draw(SplittableRandom rng, double rise) {
            int y = rng.nextDouble() < baseRate ? 1 : 0;
            double p = probability(rng, y);
            if (rise > 0 && rng.nextDouble() < flipFraction(rise)) {
                p = 1 - p;
            }
            return new Sample(p, y, true, Losses.logLoss(p, y, EPS));
        }
    }

    /**
     * A regression model whose errors are Student-t with nu degrees of freedom (heavy-tailed), scored
     * by MAE or MSE. Degraded by widening the errors: MAE scales with the width, MSE with its square.
     */
    static final class Regression implements Shape {
        private final String name;
        private final int nu;
        private final boolean squared;
        private final double base;

        Regression(String name, int nu, boolean squared) {
            this.name = name;
            this.nu = nu;
            this.squared = squared;
            SplittableRandom rng = new SplittableRandom(12345);
            double sum = 0;
            int n = 1_000_000;
            for (int i = 0; i < n; i++) {
                double t = studentT(rng, nu);
                sum += squared ? t * t : Math.abs(t);
            }
            this.base = sum / n;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String lossFunction() {
            return squared ? "mse" : "mae";
        }

        @Override
        public double baseMean() {
            return base;
        }

        @Override
        public Sample draw(SplittableRandom rng, double rise) {
            double width = squared ? Math.sqrt(1 + rise) : 1 + rise;
            double prediction = 100 + 10 * gaussian(rng);
            double label = prediction + width * studentT(rng, nu);
            double loss = squared ? Losses.squaredError(prediction, label) : Losses.absoluteError(prediction, label);
            return new Sample(prediction, label, false, loss);
        }
    }

    private static List<Shape> shapes;

    /** The stationary shapes the evaluation reports on (calibrated once: a few hundred ms). */
    static synchronized List<Shape> shapes() {
        if (shapes != null) {
            return shapes;
        }
        shapes = List.of(
                new Binary("log loss, base rate 50%", 0.5, 2.0, 1.0, 0.0),
                new Binary("log loss, base rate 10%", 0.1, 2.5, 1.0, 0.0),
                new Binary("log loss, base rate 1%", 0.01, 3.0, 1.0, 0.0),
                new Binary("log loss, overconfident, 0.1% at 34.5", 0.3, 2.0, 3.0, 0.001),
                new Regression("MAE, Student-t(3) errors", 3, false));
        return shapes;
    }

    static Shape shape(String nameStart) {
        return shapes().stream().filter(s -> s.name().startsWith(nameStart)).findFirst().orElseThrow();
    }

    static double gaussian(SplittableRandom rng) {
        // Box–Muller; one of the pair is enough here
        double u = rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    static double studentT(SplittableRandom rng, int nu) {
        double chi2 = 0;
        for (int i = 0; i < nu; i++) {
            double z = gaussian(rng);
            chi2 += z * z;
        }
        return gaussian(rng) / Math.sqrt(chi2 / nu);
    }
}
