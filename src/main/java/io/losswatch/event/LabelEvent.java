package io.losswatch.event;

import com.fasterxml.jackson.databind.JsonNode;

/** A validated ground-truth label for an earlier prediction (CONTRACT §4). */
public record LabelEvent(String predictionId, JsonNode label, long eventTime) {
}
