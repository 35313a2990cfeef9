package io.losswatch.loss;

/**
 * What a model version's labelled predictions show about its calibration: per calibration bin (the
 * logit of a predicted probability, {@link PredictionPoint#calibrationBin}), how many events were
 * labelled, how many came true (y = 1; multi-class, each class: whether it was the label) and their Σ z.
 * Learned online from every labelled prediction, kept in a logged store, mergeable. {@link #count} counts
 * labelled predictions (a multi-class one is several events).
 *
 * <p>The map from score to probability of coming true is a logistic fit (Platt scaling, a + b·z) over
 * the bins, and in each bin with labels the bin's own frequency shrunk towards that fit with the
 * weight of {@link #PRIOR} labels: the fit carries the shape where labels are few, the bins correct it
 * where they are many. docs/estimation.md compares this with the fit alone, the bins alone and
 * taking the model's probabilities at their word.
 */
public final class Calibration {
    /** Columns of {@link #bins}. */
    static final int N = 0;
    static final int TRUE = 1;
    static final int Z = 2;
    /** Labels' worth of weight the logistic fit has in a bin (chosen in docs/estimation.md). */
    public static final double PRIOR = 10;
    /**
     * Labels of each outcome (y = 1 and y = 0) a binary calibration needs before it estimates: with labels
     * of one kind only, no fit says how likely the other is (a fraud model's first 1,000 labels may hold no
     * fraud at all), and an estimate would be far off with a narrow interval.
     */
    public static final long MIN_EACH_OUTCOME = 10;
    /** z of 1.96 for a 95% interval. */
    static final double Z95 = 1.959963984540054;

    /** The loss of the labelled predictions learned from; {@link WindowStats#MIXED} if more than one. */
    public String function;
    public long count;
    public SparseBins bins = new SparseBins(3);
    /** Multi-class: Σ of the labels' log-likelihood at each temperature ({@link Temperature}); else null. */
    public double[] temperatureLogLikelihood;

    /** Learns one labelled prediction: its events' scores and outcomes, or (multi-class) its label's log-likelihoods. */
    public void learn(String lossFunction, PredictionPoint.Lesson lesson) {
        function = function == null || function.equals(lossFunction) ? lossFunction : WindowStats.MIXED;
        count++;
        for (int i = 0; i < lesson.z().length; i++) {
            double z = lesson.z()[i];
            bins.add(PredictionPoint.calibrationBin(z), 1.0, lesson.cameTrue()[i] ? 1.0 : 0.0, z);
        }
        if (lesson.logLikelihood().length > 0) {
            addLogLikelihood(lesson.logLikelihood());
        }
    }

    private void addLogLikelihood(double[] ll) {
        if (temperatureLogLikelihood == null) {
            temperatureLogLikelihood = new double[Temperature.POINTS];
        }
        for (int j = 0; j < Temperature.POINTS; j++) {
            temperatureLogLikelihood[j] += ll[j];
        }
    }

    public void merge(Calibration other) {
        if (other.function != null) {
            function = function == null || function.equals(other.function) ? other.function : WindowStats.MIXED;
        }
        count += other.count;
        bins.merge(other.bins);
        if (other.temperatureLogLikelihood != null) {
            addLogLikelihood(other.temperatureLogLikelihood);
        }
    }

    /** An estimated mean loss and its 95% interval. */
    public record Estimate(double mean, double low, double high) {
    }

    /** How the probability of coming true is read from the labels (the evaluation compares them). */
    public enum Method {
        /** Logistic fit, bins shrunk towards it (the default). */
        HYBRID,
        /** The logistic fit alone. */
        PLATT,
        /** Each bin's own frequency (a bin without labels takes the logistic fit). */
        BINNED,
        /** The model's own probability, no calibration learned: what an estimate from the scores alone gives. */
        IDENTITY
    }

    /**
     * The expected mean loss of a window's predictions given this calibration, with a 95% interval for the
     * realized mean loss (the outcomes' own randomness plus the calibration's uncertainty), or null when the
     * window has nothing to estimate, its loss differs from the calibration's, or fewer than minLabelled
     * labels have been learned.
     */
    public Estimate estimate(PredictionSketch window, long minLabelled) {
        return estimate(window, minLabelled, Method.HYBRID);
    }

    public Estimate estimate(PredictionSketch window, long minLabelled, Method method) {
        return estimate(window, minLabelled, method, Double.POSITIVE_INFINITY);
    }

    /**
     * The estimate with each prediction's two possible losses capped at cap (a bin's mean ones: the sketch
     * keeps sums), as the realized rules cap a single extreme loss: the estimated_loss rule judges this
     * robust figure, so one confident prediction per window that comes true against the odds does not fire it.
     */
    public Estimate estimate(PredictionSketch window, long minLabelled, Method method, double cap) {
        return estimate(window, minLabelled, method, cap, PRIOR);
    }

    /** The estimate with another prior weight for the fit in each bin (the evaluation's sweep). */
    public Estimate estimate(PredictionSketch window, long minLabelled, Method method, double cap, double prior) {
        SparseBins w = window.estimation;
        double m = window.estimable;
        if (m == 0 || count < minLabelled || window.function == null || WindowStats.MIXED.equals(window.function)
                || !window.function.equals(function)) {
            return null;
        }
        if (window.temperatureMean != null) {
            return temperatureEstimate(window, m, method);
        }
        double cameTrue = bins.total(TRUE);
        if (method != Method.IDENTITY && (cameTrue < MIN_EACH_OUTCOME || bins.total(N) - cameTrue < MIN_EACH_OUTCOME)) {
            return null;
        }
        double[] ab = method == Method.IDENTITY ? new double[] {0, 1} : fit();
        double[][] cov = method == Method.IDENTITY ? new double[2][2] : covariance(ab);
        double sum = 0;
        double outcomeVar = 0;
        double binVar = 0;
        // gradient of the window's total estimated loss in (a, b), for the fit's own uncertainty
        double ga = 0;
        double gb = 0;
        for (int i = 0; i < w.size(); i++) {
            double n = w.value(i, PredictionSketch.EST_COUNT);
            double wrong = w.value(i, PredictionSketch.EST_WRONG);
            double gap = w.value(i, PredictionSketch.EST_GAP);
            double gap2 = w.value(i, PredictionSketch.EST_GAP2);
            if (cap < Double.POSITIVE_INFINITY) {
                double wrongMean = Math.min(wrong / n, cap);
                double rightMean = Math.min((wrong + gap) / n, cap);
                wrong = n * wrongMean;
                gap = n * (rightMean - wrongMean);
                gap2 = n * (rightMean - wrongMean) * (rightMean - wrongMean);
            }
            double zMean = w.value(i, PredictionSketch.EST_Z) / n;
            double fitted = sigmoid(ab[0] + ab[1] * zMean);
            double weight = fitWeight(w.key(i), method, prior);
            double q = fitted;
            if (method == Method.IDENTITY) {
                q = sigmoid(zMean);
            } else if (weight < 1) {
                int j = find(w.key(i));
                double labels = bins.value(j, N);
                double trues = bins.value(j, TRUE);
                q = method == Method.BINNED ? trues / labels : (trues + prior * fitted) / (labels + prior);
                // the bin's own share: its frequency's sampling variance, weighted as it is
                double share = 1 - weight;
                binVar += gap * gap * share * share * q * (1 - q) / labels;
            }
            sum += wrong + q * gap;
            outcomeVar += q * (1 - q) * gap2;
            double slope = fitted * (1 - fitted) * weight * gap;
            ga += slope;
            gb += slope * zMean;
        }
        double fitVar = ga * ga * cov[0][0] + 2 * ga * gb * cov[0][1] + gb * gb * cov[1][1];
        double mean = sum / m;
        double se = Math.sqrt(Math.max(0, outcomeVar + binVar + fitVar)) / m;
        return new Estimate(mean, Math.max(0, mean - Z95 * se), mean + Z95 * se);
    }

    /** Multi-class: the window's expected loss at the temperature the labels fit (t = 1 for IDENTITY). */
    private Estimate temperatureEstimate(PredictionSketch window, double m, Method method) {
        if (temperatureLogLikelihood == null) {
            return null;
        }
        Temperature.Fit fit = method == Method.IDENTITY ? new Temperature.Fit(0, 0) : Temperature.fit(temperatureLogLikelihood);
        double mean = Temperature.at(window.temperatureMean, fit.u()) / m;
        double slope = Temperature.slope(window.temperatureMean, fit.u());
        double variance = Temperature.at(window.temperatureVariance, fit.u()) + slope * slope * fit.variance();
        double se = Math.sqrt(Math.max(0, variance)) / m;
        return new Estimate(mean, Math.max(0, mean - Z95 * se), mean + Z95 * se);
    }

    /** How much of a window bin's probability comes from the fit (the rest from the bin's own labels). */
    private double fitWeight(int key, Method method, double prior) {
        if (method == Method.PLATT) {
            return 1;
        }
        int j = find(key);
        double labels = j < 0 ? 0 : bins.value(j, N);
        if (labels == 0) {
            return 1;
        }
        return method == Method.BINNED ? 0 : prior / (labels + prior);
    }

    private int find(int key) {
        int lo = 0;
        int hi = bins.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int k = bins.key(mid);
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /**
     * Logistic regression of "came true" on each bin's mean z, weighted by its labels (Newton's method
     * from the identity a = 0, b = 1, with a small ridge towards it so that labels all of one kind
     * still give a finite fit).
     */
    double[] fit() {
        double a = 0;
        double b = 1;
        for (int iter = 0; iter < 50; iter++) {
            // {gradient a, gradient b, information aa, ab, bb} of the ridged log-likelihood at (a, b)
            double[] g = derivatives(a, b);
            double det = g[2] * g[4] - g[3] * g[3];
            double da = (g[4] * g[0] - g[3] * g[1]) / det;
            double db = (g[2] * g[1] - g[3] * g[0]) / det;
            a -= da;
            b -= db;
            if (Math.abs(da) + Math.abs(db) < 1e-10) {
                break;
            }
        }
        return new double[] {a, b};
    }

    private static final double RIDGE = 1e-3;

    /** The inverse of the fit's Fisher information at ab: the covariance of a and b. */
    private double[][] covariance(double[] ab) {
        double[] g = derivatives(ab[0], ab[1]);
        double det = g[2] * g[4] - g[3] * g[3];
        return new double[][] {{g[4] / det, -g[3] / det}, {-g[3] / det, g[2] / det}};
    }

    /**
     * The negative log-likelihood's gradient in (a, b) and its Fisher information (aa, ab, bb), the ridge
     * towards the identity (a = 0, b = 1) included, over the bins (each at its mean z).
     */
    private double[] derivatives(double a, double b) {
        double ga = RIDGE * a;
        double gb = RIDGE * (b - 1);
        double haa = RIDGE;
        double hab = 0;
        double hbb = RIDGE;
        for (int i = 0; i < bins.size(); i++) {
            double n = bins.value(i, N);
            double z = bins.value(i, Z) / n;
            double s = sigmoid(a + b * z);
            double r = s * n - bins.value(i, TRUE);
            double h = n * s * (1 - s);
            ga += r;
            gb += r * z;
            haa += h;
            hab += h * z;
            hbb += h * z * z;
        }
        return new double[] {ga, gb, haa, hab, hbb};
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
