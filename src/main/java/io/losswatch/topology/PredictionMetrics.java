package io.losswatch.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.losswatch.event.Segment;

/**
 * A window's label-free metrics as published on prediction-metrics (CONTRACT §9), snake_case on the
 * wire: final as soon as the predictions' event time has passed the window's end + grace, whatever
 * its labels do. psi is null until the model version has a reference distribution; the estimate and
 * its interval are null for regression and until the calibration has learned from
 * {@code losswatch.estimate.min.labelled} labelled predictions.
 *
 * @param predictions      valid predictions in the window, labelled or not
 * @param labelled         those of them already labelled when the record was published
 * @param meanPrediction   mean predicted value (binary: P(y=1); multi-class: the top class's probability; regression: the value)
 * @param calibrationCount labelled predictions the model version's calibration had learned from
 *                         (for a segment's record, the segment's own calibration)
 * @param segment          null for the whole model's record (no {@code segment} field), else the
 *                         segment (CONTRACT §11), whose psi reference and calibration are its own
 */
@JsonPropertyOrder({"model", "model_version", "segment"})
public record PredictionMetrics(String model, String modelVersion, String lossFunction, long windowStart,
                                long windowEnd, long predictions, long labelled, Double meanPrediction, Double psi,
                                Double estimatedLoss, Double estimatedLossLow, Double estimatedLossHigh,
                                long calibrationCount, @JsonProperty("final") boolean finalResult,
                                @JsonInclude(JsonInclude.Include.NON_NULL) Segment segment) {
    /** A whole model's record. */
    public PredictionMetrics(String model, String modelVersion, String lossFunction, long windowStart,
                             long windowEnd, long predictions, long labelled, Double meanPrediction, Double psi,
                             Double estimatedLoss, Double estimatedLossLow, Double estimatedLossHigh,
                             long calibrationCount, boolean finalResult) {
        this(model, modelVersion, lossFunction, windowStart, windowEnd, predictions, labelled, meanPrediction, psi,
                estimatedLoss, estimatedLossLow, estimatedLossHigh, calibrationCount, finalResult, null);
    }
}
