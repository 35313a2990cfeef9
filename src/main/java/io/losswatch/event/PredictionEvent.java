package io.losswatch.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated prediction (CONTRACT §4). {@code prediction} is a finite number or an object of
 * non-negative class probabilities; {@code label} is null when the label comes separately.
 */
public record PredictionEvent(String predictionId, String model, String modelVersion, long eventTime,
                              JsonNode prediction, JsonNode label) {
    public boolean isLabelled() {
        return label != null;
    }
}
