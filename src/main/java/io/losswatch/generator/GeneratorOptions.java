package io.losswatch.generator;

import java.time.Duration;
import java.util.Optional;

/**
 * What the traffic generator sends: how many models, how fast, for how long, how late separate
 * labels come, when and how much one model's loss drifts, and how much of the input is malformed.
 *
 * @param models          number of models (1 – {@value #MAX_MODELS}); the first one drifts
 * @param rate            records per second, all models together (predictions and malformed records)
 * @param duration        how long to send predictions; empty: until stopped
 * @param labelDelay      separate labels arrive a uniformly random 0 – labelDelay after their prediction
 * @param unlabelledShare share of separately labelled predictions whose label never comes
 * @param driftStart      time from the start when the first model's loss starts to rise
 * @param driftRamp       how long the rise takes to reach its full size (0: at once)
 * @param driftSize       how much the first model's expected log loss rises (0: no drift)
 * @param malformedShare  share of records that are malformed (not JSON, out of range, missing field,
 *                        a label for no prediction)
 * @param seed            the same seed (and start time) gives the same records
 * @param predictionsTopic topic for predictions
 * @param labelsTopic     topic for separate labels
 * @param lateModel       one more model, with labels minutes late and a covariate shift; empty: none
 */
public record GeneratorOptions(int models, double rate, Optional<Duration> duration, Duration labelDelay,
                               double unlabelledShare, Duration driftStart, Duration driftRamp, double driftSize,
                               double malformedShare, long seed, String predictionsTopic, String labelsTopic,
                               Optional<LateModel> lateModel) {
    public static final int MAX_MODELS = 100;

    /** The options without the late-labelled model. */
    public GeneratorOptions(int models, double rate, Optional<Duration> duration, Duration labelDelay,
                            double unlabelledShare, Duration driftStart, Duration driftRamp, double driftSize,
                            double malformedShare, long seed, String predictionsTopic, String labelsTopic) {
        this(models, rate, duration, labelDelay, unlabelledShare, driftStart, driftRamp, driftSize, malformedShare,
                seed, predictionsTopic, labelsTopic, Optional.empty());
    }

    /** The late-labelled model's rate: one of the other models' share. */
    public double lateModelRate() {
        return rate / models;
    }

    public GeneratorOptions {
        require(models >= 1 && models <= MAX_MODELS, "--models", "from 1 to " + MAX_MODELS, models);
        require(rate > 0 && rate <= 1_000_000 && Double.isFinite(rate), "--rate", "a number of records per second from"
                + " just above 0 to 1000000", rate);
        duration.ifPresent(d -> require(!d.isNegative() && !d.isZero(), "--duration", "a duration greater than zero",
                d));
        require(!labelDelay.isNegative(), "--label-delay", "a duration of zero or more", labelDelay);
        require(unlabelledShare >= 0 && unlabelledShare <= 1, "--unlabelled-share", "a share from 0 to 1",
                unlabelledShare);
        require(!driftStart.isNegative(), "--drift-start", "a duration of zero or more", driftStart);
        require(!driftRamp.isNegative(), "--drift-ramp", "a duration of zero or more", driftRamp);
        require(driftSize >= 0 && driftSize <= 10, "--drift-size", "a rise in log loss from 0 to 10", driftSize);
        require(malformedShare >= 0 && malformedShare <= 1, "--malformed-share", "a share from 0 to 1", malformedShare);
        require(!predictionsTopic.isBlank(), "--predictions-topic", "a topic name", predictionsTopic);
        require(!labelsTopic.isBlank(), "--labels-topic", "a topic name", labelsTopic);
    }

    private static void require(boolean ok, String option, String expected, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(option + "=" + value + ": expected " + expected);
        }
    }
}
