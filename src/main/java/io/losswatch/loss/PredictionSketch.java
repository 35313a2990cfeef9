package io.losswatch.loss;

/**
 * A mergeable summary of the predictions in one window (or a piece of one), labelled or not: what
 * CONTRACT §9's prediction-metrics record is computed from. Their count and mean value, a histogram
 * of their values for psi, and per calibration bin the sums the loss estimate needs
 * ({@link Calibration#estimate}) over the predictions' events ({@link PredictionPoint}): count, Σ wrong, Σ gap,
 * Σ gap², Σ z.
 */
public final class PredictionSketch {
    /** Columns of {@link #estimation}. */
    public static final int EST_COUNT = 0;
    public static final int EST_WRONG = 1;
    public static final int EST_GAP = 2;
    public static final int EST_GAP2 = 3;
    public static final int EST_Z = 4;
    public static final int EST_WIDTH = 5;

    public long count;
    /** Predictions with an estimate (a classifier's): what the estimate's mean is over. */
    public long estimable;
    public double valueSum;
    /** Predictions per psi bin ({@link PredictionPoint#driftBin}). */
    public SparseBins drift = new SparseBins(1);
    /** The loss the estimation sums are of; {@link WindowStats#MIXED} if the window saw more than one. */
    public String function;
    public SparseBins estimation = new SparseBins(EST_WIDTH);
    /** Multi-class: Σ of the predictions' expected loss, and of its variance, at each temperature; else null. */
    public double[] temperatureMean;
    public double[] temperatureVariance;

    public void add(PredictionPoint p) {
        count++;
        valueSum += p.value();
        drift.add(p.driftBin(), 1.0);
        if (p.estimable()) {
            function = function == null || function.equals(p.function()) ? p.function() : WindowStats.MIXED;
            estimable++;
            if (p.temperatureMean().length > 0) {
                if (temperatureMean == null) {
                    temperatureMean = new double[Temperature.POINTS];
                    temperatureVariance = new double[Temperature.POINTS];
                }
                for (int j = 0; j < Temperature.POINTS; j++) {
                    temperatureMean[j] += p.temperatureMean()[j];
                    temperatureVariance[j] += p.temperatureVariance()[j];
                }
            }
            for (int i = 0; i < p.z().length; i++) {
                double gap = p.gap()[i];
                estimation.add(PredictionPoint.calibrationBin(p.z()[i]), 1.0, p.wrong()[i], gap, gap * gap, p.z()[i]);
            }
        }
    }

    public void merge(PredictionSketch other) {
        count += other.count;
        estimable += other.estimable;
        valueSum += other.valueSum;
        drift.merge(other.drift);
        if (other.function != null) {
            function = function == null || function.equals(other.function) ? other.function : WindowStats.MIXED;
        }
        estimation.merge(other.estimation);
        if (other.temperatureMean != null) {
            if (temperatureMean == null) {
                temperatureMean = new double[Temperature.POINTS];
                temperatureVariance = new double[Temperature.POINTS];
            }
            for (int j = 0; j < Temperature.POINTS; j++) {
                temperatureMean[j] += other.temperatureMean[j];
                temperatureVariance[j] += other.temperatureVariance[j];
            }
        }
    }

    public double meanValue() {
        return valueSum / count;
    }
}
