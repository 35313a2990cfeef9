package io.losswatch.http;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.losswatch.event.Segment;
import java.util.Map;
import java.util.Optional;

/**
 * An alert record read from the alerts topic (CONTRACT §6). The fields the dashboard needs are
 * parsed; the record itself is kept as it was written and served unchanged, so fields the alert
 * step adds later reach the API without a change here.
 *
 * @param seq arrival order in this instance, a tie-breaker for alerts of the same window end
 */
public record AlertEntry(String model, String modelVersion, String status, Double meanLoss, Double baseline,
                         Double threshold, long windowStart, long windowEnd, long seq, ObjectNode json) {
    public static final String FIRING = "FIRING";
    public static final String RESOLVED = "RESOLVED";

    public boolean firing() {
        return FIRING.equals(status);
    }

    /**
     * The rule the record is about ({@code relative_to_baseline}, {@code estimated_loss},
     * {@code prediction_drift}, …); "" for a record without one. Rules fire and resolve on their own.
     */
    public String rule() {
        return json.path("rule").asText("");
    }

    /** The segment the alert is about (CONTRACT §11), or null for the whole model's alert. */
    public Segment segment() {
        JsonNode s = json.get("segment");
        if (s == null || !s.isObject() || s.size() != 1) {
            return null;
        }
        Map.Entry<String, JsonNode> e = s.fields().next();
        return e.getKey().isEmpty() ? null : new Segment(e.getKey(), e.getValue().asText(""));
    }

    @JsonValue
    public ObjectNode json() {
        return json;
    }

    /** The alert in record, or empty when it lacks a model, a status or its window. */
    public static Optional<AlertEntry> of(JsonNode record, long seq) {
        if (!(record instanceof ObjectNode o) || !o.path("model").isTextual() || !o.path("status").isTextual()
                || !o.path("window_start").canConvertToLong() || !o.path("window_end").canConvertToLong()) {
            return Optional.empty();
        }
        return Optional.of(new AlertEntry(o.get("model").asText(), o.path("model_version").asText(""),
                o.get("status").asText(), number(o, "mean_loss"), number(o, "baseline"), number(o, "threshold"),
                o.get("window_start").asLong(), o.get("window_end").asLong(), seq, o.deepCopy()));
    }

    private static Double number(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        return n != null && n.isNumber() ? n.asDouble() : null;
    }
}
