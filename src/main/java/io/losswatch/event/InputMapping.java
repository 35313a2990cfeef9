package io.losswatch.event;

import java.util.List;
import java.util.Map;

/**
 * How one input topic is read (CONTRACT §10): its format and, per §4 field, where a mapping reads it.
 * {@code topic} is the setting's name for the topic ({@code predictions} or {@code labels}).
 */
public record InputMapping(String topic, Format format, Map<String, FieldSource> fields, String kserveOutput) {
    public enum Format { JSON, KSERVE }

    public static final String PREFIX = "losswatch.input.";
    public static final String FIELD = ".field.";
    /** The topics a mapping may be for: the suffixes of their topic settings. */
    public static final List<String> TOPICS = List.of("predictions", "labels");
    /** The §4 fields a record of each topic has. */
    public static final List<String> PREDICTION_FIELDS =
            List.of("prediction_id", "model", "model_version", "timestamp", "prediction", "label");
    public static final List<String> LABEL_FIELDS = List.of("prediction_id", "timestamp", "label");

    public InputMapping {
        fields = Map.copyOf(fields);
    }

    public static InputMapping plain(String topic) {
        return new InputMapping(topic, Format.JSON, Map.of(), "");
    }

    /** True for §4 JSON with no field mapped: the parser's own paths read it. */
    public boolean isPlain() {
        return format == Format.JSON && fields.isEmpty();
    }

    public String fieldKey(String field) {
        return PREFIX + topic + FIELD + field;
    }

    /** The fields a record of topic has; empty for a topic that has no mapping. */
    public static List<String> fieldsOf(String topic) {
        return switch (topic) {
            case "predictions" -> PREDICTION_FIELDS;
            case "labels" -> LABEL_FIELDS;
            default -> List.of();
        };
    }
}
