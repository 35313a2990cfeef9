package io.losswatch.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A validated prediction (CONTRACT §4). {@code prediction} is a finite number or an object of
 * non-negative class probabilities; {@code label} is null when the label comes separately.
 * {@code segments} holds its value of each segment field (CONTRACT §11), as read (empty without
 * segment fields).
 */
public record PredictionEvent(String predictionId, String model, String modelVersion, long eventTime,
                              JsonNode prediction, JsonNode label, List<Segment> segments) {
    public PredictionEvent {
        segments = segments == null ? List.of() : segments;
    }

    /** A prediction without segment values. */
    public PredictionEvent(String predictionId, String model, String modelVersion, long eventTime,
                           JsonNode prediction, JsonNode label) {
        this(predictionId, model, modelVersion, eventTime, prediction, label, List.of());
    }

    public boolean isLabelled() {
        return label != null;
    }

    /** The same prediction with these segment values. */
    public PredictionEvent withSegments(List<Segment> values) {
        return new PredictionEvent(predictionId, model, modelVersion, eventTime, prediction, label, values);
    }
}
