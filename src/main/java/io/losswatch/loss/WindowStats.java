package io.losswatch.loss;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A mergeable summary of the losses in one window (or a piece of one): count, compensated sum,
 * Welford/Chan second moment, min and max, plus the per-window extras the contract and issue ask
 * for (clipping, label delay, binary calibration). Two summaries merge exactly as if their events
 * had been added one by one, so partial aggregates can be combined in any order.
 *
 * <p>Public mutable fields keep it cheap to (de)serialise with Jackson for state stores and
 * repartition topics.
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public final class WindowStats {
    public static final int CALIBRATION_BINS = 10;

    /** "mixed" when a window saw more than one loss function (e.g. auto on inconsistent input). */
    public static final String MIXED = "mixed";

    public String lossFunction;
    public long count;
    /** Neumaier-compensated sum: sum + compensation is the exact-as-possible total. */
    public double sum;
    public double compensation;
    /** Sum of squared deviations from the mean (Welford), for the variance. */
    public double m2;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public long clipped;

    public long joined;
    public double labelDelaySum;
    public long labelDelayMax;

    public long binaryCount;
    public double predictionSum;
    public long positives;
    public long correct;
    public long[] binCount;
    public double[] binPredictionSum;
    public long[] binPositives;

    public long unlabelled;
    /** Predictions of this window still waiting for their label: the window cannot be final yet. */
    public long pending;

    /** Adds one scored prediction. */
    public void addLoss(String function, double loss, boolean wasClipped) {
        lossFunction = mergeFunction(lossFunction, function);
        double oldMean = count == 0 ? 0.0 : mean();
        count++;
        addToSum(loss);
        double newMean = mean();
        m2 += (loss - oldMean) * (loss - newMean);
        min = Math.min(min, loss);
        max = Math.max(max, loss);
        if (wasClipped) {
            clipped++;
        }
    }

    /** Records a binary prediction p ∈ [0,1] with label y ∈ {0,1} for calibration figures. */
    public void addBinary(double p, int y) {
        ensureBins();
        binaryCount++;
        predictionSum += p;
        positives += y;
        if ((p >= 0.5 ? 1 : 0) == y) {
            correct++;
        }
        int bin = Math.min((int) (p * CALIBRATION_BINS), CALIBRATION_BINS - 1);
        binCount[bin]++;
        binPredictionSum[bin] += p;
        binPositives[bin] += y;
    }

    /** Records the delay between a prediction and its separately arriving label. */
    public void addLabelDelay(long delayMs) {
        joined++;
        labelDelaySum += delayMs;
        labelDelayMax = Math.max(labelDelayMax, delayMs);
    }

    /** Adds everything in other to this (Chan et al.'s parallel variance update). */
    public void merge(WindowStats other) {
        if (other.count > 0) {
            lossFunction = mergeFunction(lossFunction, other.lossFunction);
            if (count == 0) {
                m2 = other.m2;
            } else {
                double delta = other.mean() - mean();
                m2 += other.m2 + delta * delta * ((double) count * other.count / (count + other.count));
            }
            count += other.count;
            addToSum(other.sum);
            addToSum(other.compensation);
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
            clipped += other.clipped;
        }
        joined += other.joined;
        labelDelaySum += other.labelDelaySum;
        labelDelayMax = Math.max(labelDelayMax, other.labelDelayMax);
        if (other.binaryCount > 0) {
            ensureBins();
            binaryCount += other.binaryCount;
            predictionSum += other.predictionSum;
            positives += other.positives;
            correct += other.correct;
            for (int i = 0; i < CALIBRATION_BINS; i++) {
                binCount[i] += other.binCount[i];
                binPredictionSum[i] += other.binPredictionSum[i];
                binPositives[i] += other.binPositives[i];
            }
        }
        unlabelled += other.unlabelled;
        pending += other.pending;
    }

    public WindowStats copy() {
        WindowStats c = new WindowStats();
        c.merge(this);
        c.lossFunction = lossFunction;
        return c;
    }

    @JsonIgnore
    public double mean() {
        return (sum + compensation) / count;
    }

    /** Population variance of the losses (divides by m, as J does). */
    @JsonIgnore
    public double variance() {
        return count == 0 ? Double.NaN : Math.max(0.0, m2 / count);
    }

    @JsonIgnore
    public double stddev() {
        return Math.sqrt(variance());
    }

    /** Expected calibration error over 10 equal-width bins: Σ_b (n_b/N)·|mean ŷ_b − mean y_b|. */
    @JsonIgnore
    public double expectedCalibrationError() {
        double total = 0.0;
        for (int i = 0; i < CALIBRATION_BINS; i++) {
            total += Math.abs(binPredictionSum[i] - binPositives[i]);
        }
        return total / binaryCount;
    }

    private void addToSum(double x) {
        // Neumaier's variant of Kahan summation: exact low-order bits survive mixed magnitudes
        double t = sum + x;
        if (Math.abs(sum) >= Math.abs(x)) {
            compensation += (sum - t) + x;
        } else {
            compensation += (x - t) + sum;
        }
        sum = t;
    }

    private void ensureBins() {
        if (binCount == null) {
            binCount = new long[CALIBRATION_BINS];
            binPredictionSum = new double[CALIBRATION_BINS];
            binPositives = new long[CALIBRATION_BINS];
        }
    }

    private static String mergeFunction(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null || a.equals(b)) {
            return a;
        }
        return MIXED;
    }
}
