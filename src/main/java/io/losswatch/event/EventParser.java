package io.losswatch.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns raw record values into validated {@link PredictionEvent}s and {@link LabelEvent}s, or a
 * {@link Rejection} with a reason code for the dead-letter topic (CONTRACT §4 and §7). Never throws
 * on bad input: a parser limit rejects deeply nested JSON instead of overflowing the stack.
 */
public final class EventParser {
    /** Longest model name, model version, prediction id or class label accepted. */
    static final int MAX_NAME_LENGTH = 1024;
    /** 9999-12-31T23:59:59.999Z, the last instant with a four-digit year. */
    static final long MAX_TIMESTAMP = 253_402_300_799_999L;

    /** Reads a tree with the mapper's settings; built once, so no type is resolved per record. */
    private final ObjectReader reader;
    private final int maxBytes;

    public EventParser(int maxBytes, int maxNesting) {
        this.maxBytes = maxBytes;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNesting)
                        .maxStringLength(maxBytes)
                        .build())
                // NaN and Infinity are parsed so they can be rejected with a precise reason
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build();
        ObjectMapper mapper = JsonMapper.builder(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        this.reader = mapper.readerFor(JsonNode.class);
    }

    public ParseResult<PredictionEvent> parsePrediction(byte[] value, long recordTimestamp) {
        ParseResult<JsonNode> root = readObject(value);
        if (root instanceof ParseResult.Rejected<JsonNode> r) {
            return new ParseResult.Rejected<>(r.rejection());
        }
        JsonNode json = ((ParseResult.Ok<JsonNode>) root).event();
        try {
            String model = requiredName(json, "model");
            String version = optionalName(json, "model_version", "");
            JsonNode label = optionalLabel(json);
            String predictionId = label == null ? requiredId(json, "the prediction has no label") : optionalId(json);
            long time = eventTime(json, recordTimestamp);
            JsonNode prediction = prediction(json);
            return new ParseResult.Ok<>(new PredictionEvent(predictionId, model, version, time, prediction, label));
        } catch (Invalid e) {
            return ParseResult.reject(e.reason, e.getMessage());
        }
    }

    public ParseResult<LabelEvent> parseLabel(byte[] value, long recordTimestamp) {
        ParseResult<JsonNode> root = readObject(value);
        if (root instanceof ParseResult.Rejected<JsonNode> r) {
            return new ParseResult.Rejected<>(r.rejection());
        }
        JsonNode json = ((ParseResult.Ok<JsonNode>) root).event();
        try {
            String predictionId = requiredId(json, "a label record needs it");
            JsonNode label = optionalLabel(json);
            if (label == null) {
                throw new Invalid(RejectReason.MISSING_FIELD, "field 'label' is required in a label record");
            }
            long time = eventTime(json, recordTimestamp);
            return new ParseResult.Ok<>(new LabelEvent(predictionId, label, time));
        } catch (Invalid e) {
            return ParseResult.reject(e.reason, e.getMessage());
        }
    }

    private ParseResult<JsonNode> readObject(byte[] value) {
        if (value == null || value.length == 0) {
            return ParseResult.reject(RejectReason.INVALID_JSON, "empty record value");
        }
        if (value.length > maxBytes) {
            return ParseResult.reject(RejectReason.OVERSIZED,
                    "record value is " + value.length + " bytes, more than losswatch.input.max.bytes=" + maxBytes);
        }
        JsonNode node;
        try {
            node = reader.readTree(value);
        } catch (StreamConstraintsException e) {
            return ParseResult.reject(RejectReason.INVALID_JSON, "JSON exceeds a parser limit: " + firstLine(e));
        } catch (JsonProcessingException e) {
            return ParseResult.reject(RejectReason.INVALID_JSON, "not valid JSON: " + firstLine(e));
        } catch (IOException e) {
            return ParseResult.reject(RejectReason.INVALID_JSON, "unreadable: " + firstLine(e));
        }
        if (node == null || !node.isObject()) {
            return ParseResult.reject(RejectReason.INVALID_JSON,
                    "expected one JSON object, got " + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
        }
        return new ParseResult.Ok<>(node);
    }

    private static String requiredName(JsonNode json, String field) {
        String value = optionalName(json, field, null);
        if (value == null || value.isEmpty()) {
            throw new Invalid(RejectReason.MISSING_FIELD, "field '" + field + "' is required"
                    + (value == null ? "" : " and must not be empty"));
        }
        return value;
    }

    private static String optionalName(JsonNode json, String field, String absent) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return absent;
        }
        if (!node.isTextual()) {
            throw new Invalid(RejectReason.WRONG_TYPE, "field '" + field + "' must be a string, got " + describe(node));
        }
        return checkLength(field, node.textValue());
    }

    private static String requiredId(JsonNode json, String why) {
        String id = optionalId(json);
        if (id == null) {
            throw new Invalid(RejectReason.MISSING_FIELD, "field 'prediction_id' is required: " + why);
        }
        return id;
    }

    /** prediction_id as a string; integer ids are accepted as their decimal form. */
    private static String optionalId(JsonNode json) {
        JsonNode node = json.get("prediction_id");
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (!node.isTextual() || node.textValue().isEmpty()) {
            throw new Invalid(RejectReason.WRONG_TYPE,
                    "field 'prediction_id' must be a non-empty string or an integer, got " + describe(node));
        }
        return checkLength("prediction_id", node.textValue());
    }

    private static JsonNode optionalLabel(JsonNode json) {
        JsonNode label = json.get("label");
        if (label == null || label.isNull()) {
            return null;
        }
        if (label.isNumber()) {
            requireFinite("label", label);
        } else if (label.isTextual()) {
            checkLength("label", label.textValue());
        } else if (!label.isBoolean()) {
            throw new Invalid(RejectReason.WRONG_TYPE,
                    "field 'label' must be 0, 1, true, false, a number or a class name, got " + describe(label));
        }
        return label;
    }

    private static JsonNode prediction(JsonNode json) {
        JsonNode prediction = json.get("prediction");
        if (prediction == null || prediction.isNull()) {
            throw new Invalid(RejectReason.MISSING_FIELD, "field 'prediction' is required");
        }
        if (prediction.isNumber()) {
            requireFinite("prediction", prediction);
            return prediction;
        }
        if (!prediction.isObject()) {
            throw new Invalid(RejectReason.WRONG_TYPE,
                    "field 'prediction' must be a number or an object of class probabilities, got " + describe(prediction));
        }
        if (prediction.isEmpty()) {
            throw new Invalid(RejectReason.OUT_OF_RANGE, "field 'prediction' has no classes");
        }
        double total = 0.0;
        for (Iterator<Map.Entry<String, JsonNode>> it = prediction.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = "prediction." + e.getKey();
            checkLength("class name", e.getKey());
            if (!e.getValue().isNumber()) {
                throw new Invalid(RejectReason.WRONG_TYPE, "'" + where + "' must be a number, got " + describe(e.getValue()));
            }
            double p = requireFinite(where, e.getValue());
            if (p < 0.0) {
                throw new Invalid(RejectReason.OUT_OF_RANGE, "'" + where + "' is negative: " + p);
            }
            total += p;
        }
        if (!(total > 0.0) || !Double.isFinite(total)) {
            throw new Invalid(RejectReason.OUT_OF_RANGE, "class probabilities must have a positive, finite sum, got " + total);
        }
        return prediction;
    }

    /** Epoch milliseconds as a JSON integer, or an ISO-8601 instant string; absent means the record's time. */
    private static long eventTime(JsonNode json, long recordTimestamp) {
        JsonNode ts = json.get("timestamp");
        long time;
        if (ts == null || ts.isNull()) {
            time = recordTimestamp;
        } else if (ts.isIntegralNumber() && ts.canConvertToLong()) {
            time = ts.longValue();
        } else if (ts.isTextual()) {
            time = parseInstant(ts.textValue());
        } else {
            throw new Invalid(RejectReason.INVALID_TIMESTAMP,
                    "field 'timestamp' must be epoch milliseconds (an integer) or an ISO-8601 instant string, got "
                            + describe(ts));
        }
        if (time < 0) {
            throw new Invalid(RejectReason.INVALID_TIMESTAMP, "timestamp " + time + " is before 1970-01-01T00:00:00Z");
        }
        if (time > MAX_TIMESTAMP) {
            // window arithmetic (start + size + grace) must not overflow
            throw new Invalid(RejectReason.INVALID_TIMESTAMP, "timestamp " + time + " is after 9999-12-31T23:59:59.999Z");
        }
        return time;
    }

    private static long parseInstant(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e2) {
                throw new Invalid(RejectReason.INVALID_TIMESTAMP,
                        "field 'timestamp' is not an ISO-8601 instant such as 2026-11-24T06:00:00Z: '" + abbreviate(text) + "'");
            }
        } catch (ArithmeticException e) {
            throw new Invalid(RejectReason.INVALID_TIMESTAMP, "field 'timestamp' is out of range: '" + abbreviate(text) + "'");
        }
    }

    private static double requireFinite(String where, JsonNode number) {
        double v = number.doubleValue();
        if (!Double.isFinite(v)) {
            throw new Invalid(RejectReason.INVALID_NUMBER, "'" + where + "' is not a finite number: " + abbreviate(number.asText()));
        }
        return v;
    }

    private static String checkLength(String field, String value) {
        if (value.length() > MAX_NAME_LENGTH) {
            throw new Invalid(RejectReason.OUT_OF_RANGE,
                    "field '" + field + "' is " + value.length() + " characters long, more than " + MAX_NAME_LENGTH);
        }
        return value;
    }

    private static String describe(JsonNode node) {
        return node.getNodeType().toString().toLowerCase() + " " + abbreviate(node.toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Thrown inside the parser only, to leave a field check with its reason. */
    private static final class Invalid extends RuntimeException {
        private final String reason;

        Invalid(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
