package io.losswatch.loss;

/**
 * Temperature scaling for multi-class models: the truth taken as softmax(t·ln p) for one t the model
 * version's labels choose (t > 1: the model is under-confident, t < 1: over-confident). Unlike a
 * calibration of one class's probability, it holds when the mix of inputs changes (covariate shift), as
 * long as the model's only fault is its confidence.
 *
 * <p>Everything is summed on a fixed grid of t, so windows and labels stay mergeable sums: per window, each
 * prediction's expected loss and its variance at every t; per model version, each label's log-likelihood at
 * every t. The fitted t is the log-likelihood's maximum (a parabola through the best grid point and its
 * neighbours, on ln t), the window's expectation is read off the grid at it, and the curvature gives t's
 * uncertainty for the interval.
 */
public final class Temperature {
    /** ln t of the grid: t from e^−2 = 0.14 to e^2 = 7.4 in steps of 22%. */
    static final double FIRST = -2.0;
    static final double STEP = 0.2;
    public static final int POINTS = 21;

    private Temperature() {
    }

    static double t(int j) {
        return Math.exp(FIRST + j * STEP);
    }

    /** softmax(t·logP) into q. */
    private static void softmax(double[] logP, double t, double[] q) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logP) {
            max = Math.max(max, t * l);
        }
        double total = 0;
        for (int k = 0; k < logP.length; k++) {
            q[k] = Math.exp(t * logP[k] - max);
            total += q[k];
        }
        for (int k = 0; k < logP.length; k++) {
            q[k] /= total;
        }
    }

    /**
     * One prediction's expected loss (into mean) and its variance (into variance) at every grid point, the
     * label drawn from softmax(t·ln p); loss[k] is its loss when class k is the label.
     */
    static void expectations(double[] logP, double[] loss, double[] mean, double[] variance) {
        double[] q = new double[logP.length];
        for (int j = 0; j < POINTS; j++) {
            softmax(logP, t(j), q);
            double m = 0;
            double m2 = 0;
            for (int k = 0; k < logP.length; k++) {
                m += q[k] * loss[k];
                m2 += q[k] * loss[k] * loss[k];
            }
            mean[j] = m;
            variance[j] = Math.max(0, m2 - m * m);
        }
    }

    /** A label's log-likelihood ln softmax(t·ln p)[label] at every grid point. */
    static double[] logLikelihoods(double[] logP, int label) {
        double[] out = new double[POINTS];
        double[] q = new double[logP.length];
        for (int j = 0; j < POINTS; j++) {
            softmax(logP, t(j), q);
            out[j] = Math.log(Math.max(q[label], Double.MIN_NORMAL));
        }
        return out;
    }

    /** The fitted ln t and its variance, from the summed log-likelihoods. */
    record Fit(double u, double variance) {
    }

    static Fit fit(double[] logLikelihood) {
        int best = 0;
        for (int j = 1; j < POINTS; j++) {
            if (logLikelihood[j] > logLikelihood[best]) {
                best = j;
            }
        }
        int c = Math.max(1, Math.min(POINTS - 2, best));
        double a = logLikelihood[c - 1];
        double b = logLikelihood[c];
        double d = logLikelihood[c + 1];
        double curvature = (a - 2 * b + d) / (STEP * STEP);
        double u = FIRST + c * STEP;
        if (curvature < 0) {
            u += STEP * (a - d) / (2 * (a - 2 * b + d));
        }
        double lo = FIRST;
        double hi = FIRST + (POINTS - 1) * STEP;
        u = Math.max(lo, Math.min(hi, u));
        // the best point at an end of the grid: the labels want a temperature beyond it; say so in the interval
        // (as unsure as the whole grid is wide) rather than give the curvature there
        boolean atEnd = best == 0 || best == POINTS - 1;
        double width = hi - lo;
        return new Fit(u, atEnd || curvature >= 0 ? width * width : -1 / curvature);
    }

    /** values read at ln t = u, linearly between grid points. */
    static double at(double[] values, double u) {
        double x = (u - FIRST) / STEP;
        int j = Math.max(0, Math.min(POINTS - 2, (int) Math.floor(x)));
        double f = Math.max(0, Math.min(1, x - j));
        return values[j] + f * (values[j + 1] - values[j]);
    }

    /** The slope of values in ln t around u (per unit of ln t). */
    static double slope(double[] values, double u) {
        double x = (u - FIRST) / STEP;
        int j = Math.max(0, Math.min(POINTS - 2, (int) Math.floor(x)));
        return (values[j + 1] - values[j]) / STEP;
    }
}
