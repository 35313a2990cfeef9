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
    /** How many of the largest losses are kept. */
    public static final int LARGEST = 4;

    /** "mixed" when a window saw more than one loss function (e.g. auto on inconsistent input). */
    public static final String MIXED = "mixed";

    public String lossFunction;
    public long count;
    /** Neumaier-compensated sum: sum + compensation is the exact-as-possible total. */
    public double sum;
    public double compensation;
    /** Sum of squared deviations from the mean (Welford), for the variance. */
    public double m2;
    /**
     * Sum of cubed deviations from the mean (Pébay's update and merge), so that a piece of a window
     * can be re-centred on another mean: the alert step's skewness needs Σ(x − μ)³ about its baseline.
     */
    public double m3;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public long clipped;
    /**
     * The LARGEST largest losses, largest first (fewer while count is smaller; null when empty): the
     * alert step caps single extreme losses, and a sum cannot say which of its losses were extreme.
     */
    public double[] largest;
    /** Earliest and latest event time of the scored predictions in it (the alert step's batch times). */
    public long firstLossTime = Long.MAX_VALUE;
    public long lastLossTime = Long.MIN_VALUE;

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

    /**
     * The estimated mean loss published for this window on prediction-metrics (CONTRACT §9), null until
     * then or when there was none; the final model-metrics record carries it beside the realized loss.
     */
    public Double estimatedLoss;
    /** Whether this window's prediction-metrics record has been published (its sketch is then dropped). */
    public boolean labelFreePublished;
    /** The window's predictions, labelled or not (CONTRACT §9); null when none was added. */
    public PredictionSketch sketch;
    /**
     * What the labelled predictions in it teach the model version's calibration; the window aggregator
     * takes it out into the calibration and does not keep it in the window.
     */
    public Calibration calibration;

    public long unlabelled;
    /** Predictions of this window still waiting for their label: the window cannot be final yet. */
    public long pending;

    /** Adds one scored prediction. */
    public void addLoss(String function, double loss, boolean wasClipped) {
        lossFunction = mergeFunction(lossFunction, function);
        double oldMean = count == 0 ? 0.0 : mean();
        long n = ++count;
        addToSum(loss);
        double newMean = mean();
        // Pébay (2008), one value added: M3 first, it uses the old M2
        double delta = loss - oldMean;
        double deltaN = delta / n;
        m3 += delta * deltaN * deltaN * (n - 1) * (n - 2) - 3 * deltaN * m2;
        m2 += (loss - oldMean) * (loss - newMean);
        min = Math.min(min, loss);
        max = Math.max(max, loss);
        keepLargest(loss);
        if (wasClipped) {
            clipped++;
        }
    }

    /** Records the event time of a scored prediction. */
    public void addLossTime(long eventTime) {
        firstLossTime = Math.min(firstLossTime, eventTime);
        lastLossTime = Math.max(lastLossTime, eventTime);
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

    /** Adds a valid prediction, labelled or not, to the window's prediction sketch. */
    public void addPrediction(PredictionPoint point) {
        if (sketch == null) {
            sketch = new PredictionSketch();
        }
        sketch.add(point);
    }

    /** Learns what a labelled prediction teaches the calibration. */
    public void learn(String lossFunction, PredictionPoint.Lesson lesson) {
        if (calibration == null) {
            calibration = new Calibration();
        }
        calibration.learn(lossFunction, lesson);
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
                m3 = other.m3;
            } else {
                // Chan et al. for M2, Pébay (2008, eq. 2.1) for M3; M3 first, it uses the old M2s
                double na = count;
                double nb = other.count;
                double n = na + nb;
                double delta = other.mean() - mean();
                m3 += other.m3 + delta * delta * delta * na * nb * (na - nb) / (n * n)
                        + 3 * delta * (na * other.m2 - nb * m2) / n;
                m2 += other.m2 + delta * delta * (na * nb / n);
            }
            count += other.count;
            addToSum(other.sum);
            addToSum(other.compensation);
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
            if (other.largest != null) {
                for (double x : other.largest) {
                    keepLargest(x);
                }
            }
            clipped += other.clipped;
            firstLossTime = Math.min(firstLossTime, other.firstLossTime);
            lastLossTime = Math.max(lastLossTime, other.lastLossTime);
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
        if (other.sketch != null) {
            if (sketch == null) {
                sketch = new PredictionSketch();
            }
            sketch.merge(other.sketch);
        }
        if (other.calibration != null) {
            if (calibration == null) {
                calibration = new Calibration();
            }
            calibration.merge(other.calibration);
        }
    }

    /**
     * Adds one scored prediction at eventTime exactly as {@link #merge} adds the summary of that one
     * prediction (addLoss, addLossTime and, for a binary model, addBinary on an empty summary): the
     * same operations on the same values, so every field comes out bit for bit the same
     * (WindowStatsTest compares them), without building that summary and its calibration arrays per event.
     */
    public void addScored(Score.Loss score, long eventTime) {
        double loss = score.loss();
        // the one-event summary: count 1, sum 0 + loss, compensation 0, m2 0, m3 0, largest {loss}
        double oneSum = 0.0 + loss;
        lossFunction = mergeFunction(lossFunction, score.function().id());
        if (count == 0) {
            m2 = 0.0;
            m3 = 0.0;
        } else {
            double na = count;
            double nb = 1;
            double n = na + nb;
            double delta = (oneSum + 0.0) / 1 - mean();
            m3 += 0.0 + delta * delta * delta * na * nb * (na - nb) / (n * n)
                    + 3 * delta * (na * 0.0 - nb * m2) / n;
            m2 += 0.0 + delta * delta * (na * nb / n);
        }
        count += 1;
        addToSum(oneSum);
        addToSum(0.0);
        min = Math.min(min, loss);
        max = Math.max(max, loss);
        keepLargest(loss);
        clipped += score.clipped() ? 1 : 0;
        firstLossTime = Math.min(firstLossTime, eventTime);
        lastLossTime = Math.max(lastLossTime, eventTime);
        if (score.isBinary()) {
            double p = score.binaryProbability();
            int y = score.binaryLabel();
            ensureBins();
            binaryCount += 1;
            predictionSum += 0.0 + p;
            positives += y;
            correct += (p >= 0.5 ? 1 : 0) == y ? 1 : 0;
            int bin = Math.min((int) (p * CALIBRATION_BINS), CALIBRATION_BINS - 1);
            binCount[bin] += 1;
            binPredictionSum[bin] += 0.0 + p;
            binPositives[bin] += y;
        }
    }

    public WindowStats copy() {
        WindowStats c = new WindowStats();
        c.merge(this);
        c.lossFunction = lossFunction;
        c.estimatedLoss = estimatedLoss;
        c.labelFreePublished = labelFreePublished;
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

    /** Inserts x into largest if it is among the LARGEST largest (the array only grows up to LARGEST). */
    private void keepLargest(double x) {
        if (largest == null) {
            largest = new double[] {x};
            return;
        }
        int n = largest.length;
        if (n == LARGEST && x <= largest[n - 1]) {
            return;
        }
        if (n < LARGEST) {
            largest = java.util.Arrays.copyOf(largest, n + 1);
            n++;
        }
        int i = n - 1;
        while (i > 0 && largest[i - 1] < x) {
            largest[i] = largest[i - 1];
            i--;
        }
        largest[i] = x;
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
