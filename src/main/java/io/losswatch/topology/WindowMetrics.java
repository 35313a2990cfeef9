package io.losswatch.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.losswatch.event.Segment;
import io.losswatch.loss.WindowStats;

/**
 * A window's metrics as published on model-metrics (CONTRACT §6), snake_case on the wire. Loss
 * figures are null in a window with no labelled prediction; binary figures are null unless the
 * model is a binary classifier; label delays are null unless labels arrived separately.
 * estimatedLoss is the estimate published earlier on prediction-metrics for this window (CONTRACT §9),
 * null if there was none, so estimate and realized loss sit side by side. segment is null for the whole
 * model's record, which then has no {@code segment} field at all; a segment's record (CONTRACT §11) has
 * it after {@code model_version}.
 */
@JsonPropertyOrder({"model", "model_version", "segment"})
public record WindowMetrics(String model, String modelVersion, String lossFunction, long windowStart, long windowEnd,
                            long count, Double meanLoss, Double minLoss, Double maxLoss, Double stddevLoss,
                            long unlabelled, @JsonProperty("final") boolean finalResult, long clipped, long joinedLabels,
                            Double labelDelayMeanMs, Long labelDelayMaxMs, Double meanPrediction,
                            Double positiveRate, Double accuracy, Double expectedCalibrationError,
                            Double estimatedLoss, @JsonInclude(JsonInclude.Include.NON_NULL) Segment segment) {

    /** A whole model's record. */
    public WindowMetrics(String model, String modelVersion, String lossFunction, long windowStart, long windowEnd,
                         long count, Double meanLoss, Double minLoss, Double maxLoss, Double stddevLoss,
                         long unlabelled, boolean finalResult, long clipped, long joinedLabels,
                         Double labelDelayMeanMs, Long labelDelayMaxMs, Double meanPrediction,
                         Double positiveRate, Double accuracy, Double expectedCalibrationError, Double estimatedLoss) {
        this(model, modelVersion, lossFunction, windowStart, windowEnd, count, meanLoss, minLoss, maxLoss, stddevLoss,
                unlabelled, finalResult, clipped, joinedLabels, labelDelayMeanMs, labelDelayMaxMs, meanPrediction,
                positiveRate, accuracy, expectedCalibrationError, estimatedLoss, null);
    }

    public static WindowMetrics of(String model, String version, long start, long end, WindowStats s, boolean isFinal) {
        return of(new SeriesKey(model, version, null), start, end, s, isFinal);
    }

    public static WindowMetrics of(SeriesKey series, long start, long end, WindowStats s, boolean isFinal) {
        String model = series.model();
        String version = series.modelVersion();
        boolean scored = s.count > 0;
        boolean binary = s.binaryCount > 0;
        boolean joined = s.joined > 0;
        return new WindowMetrics(model, version, s.lossFunction, start, end, s.count,
                scored ? s.mean() : null, scored ? s.min : null, scored ? s.max : null, scored ? s.stddev() : null,
                s.unlabelled, isFinal, s.clipped, s.joined,
                joined ? s.labelDelaySum / s.joined : null, joined ? s.labelDelayMax : null,
                binary ? s.predictionSum / s.binaryCount : null,
                binary ? (double) s.positives / s.binaryCount : null,
                binary ? (double) s.correct / s.binaryCount : null,
                binary ? s.expectedCalibrationError() : null,
                s.estimatedLoss, series.segment());
    }
}
