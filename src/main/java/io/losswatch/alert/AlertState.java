package io.losswatch.alert;

/**
 * Everything the alert rules remember about one (model, model_version): its baseline, the
 * consecutive-window counters, whether it is firing, and the sequential detector. Immutable; kept as
 * a compact binary record in the {@code alert-state} store ({@link AlertStateSerde}).
 *
 * @param baseline   what the model's loss looks like when all is well
 * @param breaches   consecutive eligible windows above a firing level (while not firing)
 * @param clears     consecutive eligible windows below every resolve level (while firing)
 * @param firingRule the rule that fired, or null when not firing
 * @param firedAt    event time the alert fired at: the firing window's start, or the event's time
 * @param resolvesFrom while firing, only windows starting at or after this time count toward resolving
 *                   (a window that began before the alert fired says nothing about recovery)
 * @param sequential the per-event change detector
 * @param batch      per-event losses seen since the last evaluated window, for the baseline's skewness
 */
public record AlertState(Baseline baseline, int breaches, int clears, String firingRule, long firedAt,
                         long resolvesFrom, Sequential sequential, Batch batch) {

    /**
     * How far above the baseline, in per-event standard deviations, one loss counts: beyond it a single
     * extreme loss (34.5 for a confident mistake) is capped when a window is judged and when the
     * skewness is learned. Chosen by measurement (docs/alerting.md).
     */
    public static final double EXTREME_SIGMAS = 8.0;

    public static final AlertState INITIAL =
            new AlertState(Baseline.EMPTY, 0, 0, null, 0, 0, Sequential.ZERO, Batch.EMPTY);

    public boolean firing() {
        return firingRule != null;
    }

    AlertState withBaseline(Baseline b) {
        return new AlertState(b, breaches, clears, firingRule, firedAt, resolvesFrom, sequential, batch);
    }

    AlertState withBreaches(int n) {
        return new AlertState(baseline, n, clears, firingRule, firedAt, resolvesFrom, sequential, batch);
    }

    AlertState withClears(int n) {
        return new AlertState(baseline, breaches, n, firingRule, firedAt, resolvesFrom, sequential, batch);
    }

    AlertState withSequential(Sequential s) {
        return new AlertState(baseline, breaches, clears, firingRule, firedAt, resolvesFrom, s, batch);
    }

    AlertState withBatch(Batch b) {
        return new AlertState(baseline, breaches, clears, firingRule, firedAt, resolvesFrom, sequential, b);
    }

    /** Now firing: counters and detector start afresh, the baseline stays as it is (frozen). */
    AlertState fire(String rule, long at, long resolvesFromTime) {
        return new AlertState(baseline, 0, 0, rule, at, resolvesFromTime, Sequential.ZERO, Batch.EMPTY);
    }

    /** Resolved: the baseline resumes learning, the detector starts from zero. */
    AlertState resolve() {
        return new AlertState(baseline, 0, 0, null, 0, 0, Sequential.ZERO, Batch.EMPTY);
    }

    /**
     * An exponentially weighted summary of the final windows that were eligible, not breaching and not
     * firing: the mean of window means, the mean within-window variance of per-event losses, and the
     * per-event skewness. The first windows are averaged with equal weight (weight max(α, 1/t)), so a
     * short warm-up is not dominated by the first window.
     */
    public record Baseline(long windows, double mean, double eventVariance, double skewness, double eventsPerWindow) {
        public static final Baseline EMPTY = new Baseline(0, 0.0, 0.0, 0.0, 0.0);

        /** A baseline whose typical window size is not known (state written before it was learned). */
        public Baseline(long windows, double mean, double eventVariance, double skewness) {
            this(windows, mean, eventVariance, skewness, 0.0);
        }

        boolean ready(AlertSettings s) {
            return windows >= s.warmupWindows();
        }

        /** Standard error of a window mean over n events, from the per-event spread. */
        double standardError(long n) {
            return Math.sqrt(eventVariance / n);
        }

        /**
         * The z-score of a window mean over n events that is as rare as z would be for a normal mean:
         * the Cornish–Fisher (first Edgeworth) correction z + (z² − 1)·γ/(6√n) for per-event skewness γ.
         * Losses are right-skewed (most small, a few large), so a window mean's upper tail is longer than
         * a normal one: without this a rare-positive classifier's thresholds fire on noise.
         */
        double skewAdjustedZ(double z, long n) {
            return z + (z * z - 1) * Math.max(0.0, skewness) / (6 * Math.sqrt(n));
        }

        double eventStddev() {
            return Math.sqrt(eventVariance);
        }

        /**
         * Learns a window. The mean learns the window's mean winsorised at cap (halfway between the
         * baseline and the alert level once warm; +∞ while warming up), so a rise too small to fire at
         * once cannot quickly teach the baseline that worse is normal and hide itself.
         */
        Baseline learn(double windowMean, double windowVariance, long count, Batch batch, double alpha, double cap) {
            double batchSkew = batch.skewness();
            if (windows == 0) {
                return new Baseline(1, windowMean, windowVariance, Double.isNaN(batchSkew) ? 0.0 : batchSkew, count);
            }
            double a = Math.max(alpha, 1.0 / (windows + 1));
            double typical = eventsPerWindow > 0 ? eventsPerWindow + a * (count - eventsPerWindow) : count;
            return new Baseline(windows + 1, mean + a * (Math.min(windowMean, cap) - mean),
                    eventVariance + a * (windowVariance - eventVariance),
                    Double.isNaN(batchSkew) ? skewness : skewness + a * (batchSkew - skewness), typical);
        }
    }

    /**
     * Power sums of standardised per-event losses y = (min(x, μ + 8σ) − μ)/σ since the last
     * evaluated window, from which that batch's skewness is learned (capped so that one extreme loss
     * cannot dominate the estimate).
     */
    public record Batch(long count, double s1, double s2, double s3) {
        public static final Batch EMPTY = new Batch(0, 0.0, 0.0, 0.0);
        Batch add(double loss, double mu, double sigma) {
            double y = (Math.min(loss, mu + EXTREME_SIGMAS * sigma) - mu) / sigma;
            return new Batch(count + 1, s1 + y, s2 + y * y, s3 + y * y * y);
        }

        /**
         * Adds a batch of losses from its moments: Σ(x − μ)^k about the baseline mean μ follows from the
         * batch's mean m, m2 and m3 (d = m − μ: n·d, m2 + n·d², m3 + 3·d·m2 + n·d³). Losses above μ + 8σ
         * are capped when they are among the batch's few largest (the batch knows no other single loss):
         * exact for a batch of one and whenever no more than those are that far out.
         */
        Batch add(AlertEvaluator.Losses l, double mu, double sigma) {
            if (l.count() == 1) {
                return add(l.max(), mu, sigma);
            }
            long n = l.count();
            double d = l.mean() - mu;
            double p1 = n * d;
            double p2 = l.m2() + n * d * d;
            double p3 = l.m3() + 3 * d * l.m2() + n * d * d * d;
            double f = EXTREME_SIGMAS * sigma; // the cap, less μ
            for (double x : l.largest()) {
                double e = x - mu;
                if (e > f) {
                    p1 += f - e;
                    p2 += f * f - e * e;
                    p3 += f * f * f - e * e * e;
                }
            }
            return new Batch(count + n, s1 + p1 / sigma, s2 + p2 / (sigma * sigma), s3 + p3 / (sigma * sigma * sigma));
        }

        /** The batch's sample skewness m3 / m2^1.5, or NaN with too few events or no spread. */
        double skewness() {
            if (count < 20) {
                return Double.NaN;
            }
            double m = s1 / count;
            double m2 = s2 / count - m * m;
            double m3 = s3 / count - 3 * m * s2 / count + 2 * m * m * m;
            return m2 > 1e-12 ? m3 / Math.pow(m2, 1.5) : Double.NaN;
        }
    }

    /**
     * One-sided Page–Hinkley (CUSUM form) on per-event losses, in units of the baseline's per-event
     * standard deviation σ: statistic = max(0, statistic + (min(x, μ + cσ) − μ)/σ − δ), taken a batch
     * of losses at a time ({@link AlertEvaluator#onLosses}). While it is
     * above zero it keeps the count, sum and first event time of the losses since it last left zero,
     * so an alert can say what the losses have averaged since the change began.
     */
    public record Sequential(double statistic, long count, double sum, long since) {
        public static final Sequential ZERO = new Sequential(0.0, 0, 0.0, 0);
    }
}
