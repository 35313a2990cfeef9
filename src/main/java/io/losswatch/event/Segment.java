package io.losswatch.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Map;

/**
 * One value of one segment field (CONTRACT §11): a slice of a model's traffic, such as
 * {@code country = "DE"}. On the wire it is {@code {"country": "DE"}}. A prediction carries the raw
 * value it was read with; the window aggregator maps it to a tracked value or {@link #OTHER}.
 */
public record Segment(String field, String value) {
    /** Where values beyond a field's first {@code losswatch.segment.max.values} go. */
    public static final String OTHER = "__other__";
    /** The value of a prediction without the field; not counted against the cap. */
    public static final String MISSING = "";
    /**
     * Longest value kept as it is, in characters: a longer one is counted under {@link #OTHER} (a field
     * holding whole documents would otherwise put them in every key, store and record of its segment).
     */
    public static final int MAX_VALUE_LENGTH = 256;

    public Segment {
        if (field == null || field.isEmpty() || value == null) {
            throw new IllegalArgumentException("a segment needs a field name and a value");
        }
    }

    @JsonValue
    public Map<String, String> json() {
        return Map.of(field, value);
    }

    /** From its wire form; null for an absent or empty object (a whole-model record). */
    @JsonCreator
    public static Segment fromJson(Map<String, String> json) {
        if (json == null || json.isEmpty()) {
            return null;
        }
        if (json.size() != 1) {
            throw new IllegalArgumentException("a segment names one field, got " + json.keySet());
        }
        Map.Entry<String, String> e = json.entrySet().iterator().next();
        return new Segment(e.getKey(), e.getValue() == null ? MISSING : e.getValue());
    }

    /** {@code field=value}: the Prometheus label's value, and how logs name a segment. */
    public String label() {
        return field + "=" + value;
    }

    /** {@code field:value} as the HTTP API takes it ({@code ?segment=country:DE}); the value may be empty. */
    public static Segment parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected field:value, e.g. country:DE");
        }
        return new Segment(text.substring(0, colon), text.substring(colon + 1));
    }
}
