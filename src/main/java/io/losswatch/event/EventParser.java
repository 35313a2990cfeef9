package io.losswatch.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns raw record values into validated {@link PredictionEvent}s and {@link LabelEvent}s, or a
 * {@link Rejection} with a reason code for the dead-letter topic (CONTRACT §4 and §7). Never throws
 * on bad input: a parser limit rejects deeply nested JSON instead of overflowing the stack.
 *
 * <p>The common record, one flat object of known fields, is read by streaming; any other record goes
 * to the tree reader, which gives every rejection of the input's form. Both feed the same field checks.
 */
public final class EventParser {
    /** Longest model name, model version, prediction id or class label accepted. */
    public static final int MAX_NAME_LENGTH = 1024;
    /** 9999-12-31T23:59:59.999Z, the last instant with a four-digit year. */
    static final long MAX_TIMESTAMP = 253_402_300_799_999L;

    /** Reads a tree with the mapper's settings; built once, so no type is resolved per record. */
    private final ObjectReader reader;
    /** The tree reader's node factory, so the fast path makes the very nodes the tree would. */
    private final JsonNodeFactory nodes;
    private final int maxBytes;
    /**
     * The segment fields a prediction's top level is read for (CONTRACT §11), and their names' hashes: the
     * fast path takes them as known fields, so a record carrying them stays on it.
     */
    private final String[] segmentFields;
    private final int[] segmentHashes;

    public EventParser(int maxBytes, int maxNesting) {
        this(maxBytes, maxNesting, List.of());
    }

    /** A parser that also reads each prediction's top-level segmentFields (CONTRACT §11). */
    public EventParser(int maxBytes, int maxNesting, List<String> segmentFields) {
        this.segmentFields = segmentFields.toArray(new String[0]);
        this.segmentHashes = segmentFields.stream().mapToInt(String::hashCode).toArray();
        this.maxBytes = maxBytes;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNesting)
                        .maxStringLength(maxBytes)
                        .build())
                // NaN and Infinity are parsed so they can be rejected with a precise reason
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                // the same double as Double.parseDouble, bit for bit, in less time (JsonFastDoubleTest)
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
        ObjectMapper mapper = JsonMapper.builder(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        this.reader = mapper.readerFor(JsonNode.class);
        this.nodes = reader.getConfig().getNodeFactory();
    }

    public ParseResult<PredictionEvent> parsePrediction(byte[] value, long recordTimestamp) {
        ParseResult<PredictionEvent> streamed = streamPrediction(value, recordTimestamp);
        return streamed != null ? streamed : treePrediction(value, recordTimestamp);
    }

    public ParseResult<LabelEvent> parseLabel(byte[] value, long recordTimestamp) {
        ParseResult<LabelEvent> streamed = streamLabel(value, recordTimestamp);
        return streamed != null ? streamed : treeLabel(value, recordTimestamp);
    }

    /** The fast path alone: the result for a flat object of known scalar fields, null for anything else. */
    ParseResult<PredictionEvent> streamPrediction(byte[] value, long recordTimestamp) {
        Fields fields = streamFields(value, Fields.PREDICTION_FIELDS, segmentFields);
        return fields == null ? null : predictionEvent(fields, recordTimestamp);
    }

    /** The fast path alone: the result for a flat object of known scalar fields, null for anything else. */
    ParseResult<LabelEvent> streamLabel(byte[] value, long recordTimestamp) {
        Fields fields = streamFields(value, Fields.LABEL_FIELDS, NO_SEGMENTS);
        return fields == null ? null : labelEvent(fields, recordTimestamp);
    }

    /** The tree path alone, which decides every record the fast path leaves. */
    ParseResult<PredictionEvent> treePrediction(byte[] value, long recordTimestamp) {
        ParseResult<Fields> fields = treeFields(value);
        if (fields instanceof ParseResult.Rejected<Fields> r) {
            return new ParseResult.Rejected<>(r.rejection());
        }
        Fields read = ((ParseResult.Ok<Fields>) fields).event();
        if (segmentFields.length > 0) {
            read.segmentNames = segmentFields;
            read.segments = new JsonNode[segmentFields.length];
            JsonNode json = read.json;
            for (int k = 0; k < segmentFields.length; k++) {
                read.segments[k] = json.get(segmentFields[k]);
            }
        }
        return predictionEvent(read, recordTimestamp);
    }

    private static final String[] NO_SEGMENTS = new String[0];

    /** The segment fields this parser reads from a prediction's top level (CONTRACT §11). */
    public List<String> segmentFields() {
        return List.of(segmentFields);
    }

    /** The tree path alone, which decides every record the fast path leaves. */
    ParseResult<LabelEvent> treeLabel(byte[] value, long recordTimestamp) {
        ParseResult<Fields> fields = treeFields(value);
        if (fields instanceof ParseResult.Rejected<Fields> r) {
            return new ParseResult.Rejected<>(r.rejection());
        }
        return labelEvent(((ParseResult.Ok<Fields>) fields).event(), recordTimestamp);
    }

    /** The checks of a prediction record, the same whichever path read its fields. */
    private static ParseResult<PredictionEvent> predictionEvent(Fields fields, long recordTimestamp) {
        return predictionEvent(fields, recordTimestamp, null);
    }

    /**
     * The checks of a prediction record whose fields a mapping read (CONTRACT §10); where gives, for a
     * field, the words appended to a rejection's message that say where the field was read (null: none).
     */
    static ParseResult<PredictionEvent> predictionEvent(Fields fields, long recordTimestamp,
                                                        Function<String, String> where) {
        try {
            String model = requiredName(fields.model, "model");
            String version = optionalName(fields.modelVersion, "model_version", "");
            JsonNode label = optionalLabel(fields.label);
            String predictionId = label == null
                    ? requiredId(fields.predictionId, "the prediction has no label")
                    : optionalId(fields.predictionId);
            long time = eventTime(fields.timestamp, recordTimestamp);
            JsonNode prediction = prediction(fields.prediction);
            List<Segment> segments = fields.segmentNames == null ? List.of() : segments(fields.segmentNames, fields.segments);
            return new ParseResult.Ok<>(new PredictionEvent(predictionId, model, version, time, prediction, label, segments));
        } catch (Invalid e) {
            return reject(e, where);
        }
    }

    /** The checks of a label record, the same whichever path read its fields. */
    private static ParseResult<LabelEvent> labelEvent(Fields fields, long recordTimestamp) {
        return labelEvent(fields, recordTimestamp, null);
    }

    /** The checks of a label record whose fields a mapping read; where as for predictions. */
    static ParseResult<LabelEvent> labelEvent(Fields fields, long recordTimestamp, Function<String, String> where) {
        try {
            String predictionId = requiredId(fields.predictionId, "a label record needs it");
            JsonNode label = optionalLabel(fields.label);
            if (label == null) {
                throw new Invalid(RejectReason.MISSING_FIELD, "label", "field 'label' is required in a label record");
            }
            long time = eventTime(fields.timestamp, recordTimestamp);
            return new ParseResult.Ok<>(new LabelEvent(predictionId, label, time));
        } catch (Invalid e) {
            return reject(e, where);
        }
    }

    /**
     * A prediction's value of each segment field (CONTRACT §11): absent or null is {@link Segment#MISSING}, a
     * string itself, a number or boolean its JSON text; one longer than {@link Segment#MAX_VALUE_LENGTH} counts
     * under {@link Segment#OTHER} (it would be kept in every key of its segment); an object or array is wrong_type.
     */
    private static List<Segment> segments(String[] names, JsonNode[] values) {
        Segment[] out = new Segment[names.length];
        for (int k = 0; k < names.length; k++) {
            JsonNode v = values[k];
            String text;
            if (v == null || v.isNull() || v.isMissingNode()) {
                text = Segment.MISSING;
            } else if (v.isTextual()) {
                text = v.textValue();
            } else if (v.isNumber() || v.isBoolean()) {
                text = v.toString();
            } else {
                throw new Invalid(RejectReason.WRONG_TYPE, names[k], "segment field '" + names[k]
                        + "' must be a string, number or boolean, got " + describe(v));
            }
            out[k] = new Segment(names[k], text.length() > Segment.MAX_VALUE_LENGTH ? Segment.OTHER : text);
        }
        return List.of(out);
    }

    private static <T> ParseResult<T> reject(Invalid e, Function<String, String> where) {
        return ParseResult.reject(e.reason, where == null ? e.getMessage() : e.getMessage() + where.apply(e.field));
    }

    /**
     * Reads a flat object of known fields with scalar values by streaming, without the tree and its
     * duplicate detector; null for anything else (a nested value, an unknown or repeated field, any
     * parse or limit error, trailing tokens, too many bytes), which the tree path then decides.
     */
    private Fields streamFields(byte[] value, int knownFields, String[] segmentNames) {
        if (value == null || value.length == 0 || value.length > maxBytes) {
            return null;
        }
        // the tree reader's own parser: same factory, limits and features
        try (JsonParser p = reader.createParser(value)) {
            // a repeated field falls back below, so the parser need not remember names
            p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Fields fields = new Fields();
            if (segmentNames.length > 0) {
                fields.segmentNames = segmentNames;
                fields.segments = new JsonNode[segmentNames.length];
            }
            int seen = 0;
            long seenSegments = 0;
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                int field = Fields.bit(name) & knownFields;
                if (field == 0) {
                    // a segment field (CONTRACT §11) is known too: read once, like the others
                    int k = segmentIndex(name, segmentNames);
                    if (k < 0 || (seenSegments & (1L << k)) != 0) {
                        return null;
                    }
                    seenSegments |= 1L << k;
                    JsonNode node = scalar(p, p.nextToken());
                    if (node == null) {
                        return null;
                    }
                    fields.segments[k] = node;
                    continue;
                }
                if ((seen & field) != 0) {
                    return null;
                }
                seen |= field;
                JsonNode node = scalar(p, p.nextToken());
                if (node == null) {
                    return null;
                }
                fields.set(field, node);
            }
            // FAIL_ON_TRAILING_TOKENS: the tree reader asks for one more token and wants none
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return fields;
        } catch (IOException | RuntimeException e) {
            // whatever went wrong, the tree path gives the rejection and its message
            return null;
        }
    }

    /** The index of name among the segment fields (at most 64 are streamed), or -1. */
    private int segmentIndex(String name, String[] names) {
        int hash = name.hashCode();
        for (int k = 0; k < names.length && k < 64; k++) {
            if (segmentHashes[k] == hash && names[k].equals(name)) {
                return k;
            }
        }
        return -1;
    }

    /**
     * The fast path of a mapped record (CONTRACT §10): the scalar value at each pointer, in its slot (null
     * where the record has none), read by streaming without building the tree; null for anything the tree
     * path must decide (a target that is not a scalar, a parse or limit error, a duplicate key anywhere,
     * trailing tokens, too many bytes). Every object is read, so a duplicate key anywhere falls back and the
     * tree reader rejects it.
     */
    JsonNode[] streamPointers(byte[] value, StreamedPointers pointers) {
        if (value == null || value.length == 0 || value.length > maxBytes) {
            return null;
        }
        try (JsonParser p = reader.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            // duplicate names are found by walk, which reads every object, more cheaply than the parser's detector
            p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonNode[] out = new JsonNode[pointers.slots];
            if (!walk(p, pointers.root, out) || p.nextToken() != null) {
                return null;
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static final int[] NO_SLOTS = new int[0];

    /**
     * Reads the object or array p is at, whose members level says the pointers go through (null: a part no
     * pointer reads, still read for duplicate names); false: the tree decides.
     */
    private boolean walk(JsonParser p, StreamedPointers.Level level, JsonNode[] out) throws IOException {
        boolean object = p.currentToken() == JsonToken.START_OBJECT;
        int index = 0;
        // members of level seen, by bit; the other names of this object, for duplicates among them
        long seen = 0;
        String[] others = null;
        int otherCount = 0;
        while (true) {
            int member = -1;
            if (object) {
                String name = p.nextFieldName();
                if (name == null) {
                    return p.currentToken() == JsonToken.END_OBJECT;
                }
                member = level == null ? -1 : level.byName(name);
                if (member >= 0) {
                    if ((seen & (1L << member)) != 0) {
                        return false;
                    }
                    seen |= 1L << member;
                } else {
                    if (others == null) {
                        others = new String[8];
                    } else if (otherCount == others.length) {
                        others = java.util.Arrays.copyOf(others, otherCount * 2);
                    }
                    int hash = name.hashCode();
                    for (int k = 0; k < otherCount; k++) {
                        if (others[k].hashCode() == hash && others[k].equals(name)) {
                            return false;
                        }
                    }
                    others[otherCount++] = name;
                }
            }
            JsonToken token = p.nextToken();
            if (!object) {
                if (token == JsonToken.END_ARRAY) {
                    return true;
                }
                member = level == null ? -1 : level.byIndex(index++);
            }
            if (token == null) {
                return false;
            }
            boolean struct = token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY;
            int[] ends = member < 0 ? NO_SLOTS : level.ends[member];
            if (ends.length == 0 && token == JsonToken.VALUE_STRING) {
                // decoded although no pointer reads it: skipping checks the UTF-8 bytes but not for an
                // encoded surrogate, which the tree reader rejects
                p.getTextLength();
            }
            if (member < 0) {
                if (struct && !walk(p, null, out)) {
                    return false;
                }
                continue;
            }
            if (ends.length > 0) {
                if (struct) {
                    return false; // a whole object or array: the tree decides
                }
                JsonNode node = scalar(p, token);
                if (node == null) {
                    return false;
                }
                for (int slot : ends) {
                    out[slot] = node;
                }
            }
            if (struct && !walk(p, level.next[member], out)) {
                return false;
            }
        }
    }

    /**
     * The node the tree reader makes for a scalar token (JsonNodeDeserializer of jackson-databind 2.21,
     * with this reader's features: no BigDecimal for floats, no int coercions, null properties read),
     * or null for any other token.
     */
    private JsonNode scalar(JsonParser p, JsonToken token) throws IOException {
        if (token == null) {
            return null;
        }
        return switch (token) {
            case VALUE_STRING -> nodes.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> nodes.numberNode(p.getIntValue());
                case LONG -> nodes.numberNode(p.getLongValue());
                default -> nodes.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> {
                JsonParser.NumberTypeFP type = p.getNumberTypeFP();
                // JSON text never says float32 or decimal, but the tree makes other nodes for them
                yield type == JsonParser.NumberTypeFP.BIG_DECIMAL || type == JsonParser.NumberTypeFP.FLOAT32
                        ? null
                        : nodes.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE -> nodes.booleanNode(true);
            case VALUE_FALSE -> nodes.booleanNode(false);
            case VALUE_NULL -> nodes.nullNode();
            default -> null;
        };
    }

    private ParseResult<Fields> treeFields(byte[] value) {
        ParseResult<JsonNode> node = readObject(value);
        if (node instanceof ParseResult.Rejected<JsonNode> r) {
            return new ParseResult.Rejected<>(r.rejection());
        }
        return new ParseResult.Ok<>(Fields.of(((ParseResult.Ok<JsonNode>) node).event()));
    }

    /** The record value as one JSON object, read by the tree reader with its limits; the rejection otherwise. */
    ParseResult<JsonNode> readObject(byte[] value) {
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

    private static String requiredName(JsonNode node, String field) {
        String value = optionalName(node, field, null);
        if (value == null || value.isEmpty()) {
            throw new Invalid(RejectReason.MISSING_FIELD, field, "field '" + field + "' is required"
                    + (value == null ? "" : " and must not be empty"));
        }
        return value;
    }

    private static String optionalName(JsonNode node, String field, String absent) {
        if (node == null || node.isNull()) {
            return absent;
        }
        if (!node.isTextual()) {
            throw new Invalid(RejectReason.WRONG_TYPE, field, "field '" + field + "' must be a string, got " + describe(node));
        }
        return checkLength(field, node.textValue());
    }

    private static String requiredId(JsonNode node, String why) {
        String id = optionalId(node);
        if (id == null) {
            throw new Invalid(RejectReason.MISSING_FIELD, "prediction_id", "field 'prediction_id' is required: " + why);
        }
        return id;
    }

    /** prediction_id as a string; integer ids are accepted as their decimal form. */
    private static String optionalId(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (!node.isTextual() || node.textValue().isEmpty()) {
            throw new Invalid(RejectReason.WRONG_TYPE, "prediction_id",
                    "field 'prediction_id' must be a non-empty string or an integer, got " + describe(node));
        }
        return checkLength("prediction_id", node.textValue());
    }

    private static JsonNode optionalLabel(JsonNode label) {
        if (label == null || label.isNull()) {
            return null;
        }
        if (label.isNumber()) {
            requireFinite("label", label);
        } else if (label.isTextual()) {
            checkLength("label", label.textValue());
        } else if (!label.isBoolean()) {
            throw new Invalid(RejectReason.WRONG_TYPE, "label",
                    "field 'label' must be 0, 1, true, false, a number or a class name, got " + describe(label));
        }
        return label;
    }

    private static JsonNode prediction(JsonNode prediction) {
        if (prediction == null || prediction.isNull()) {
            throw new Invalid(RejectReason.MISSING_FIELD, "prediction", "field 'prediction' is required");
        }
        if (prediction.isNumber()) {
            requireFinite("prediction", prediction);
            return prediction;
        }
        if (!prediction.isObject()) {
            throw new Invalid(RejectReason.WRONG_TYPE, "prediction",
                    "field 'prediction' must be a number or an object of class probabilities, got " + describe(prediction));
        }
        if (prediction.isEmpty()) {
            throw new Invalid(RejectReason.OUT_OF_RANGE, "prediction", "field 'prediction' has no classes");
        }
        double total = 0.0;
        for (Iterator<Map.Entry<String, JsonNode>> it = prediction.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = "prediction." + e.getKey();
            checkLength("class name", e.getKey());
            if (!e.getValue().isNumber()) {
                throw new Invalid(RejectReason.WRONG_TYPE, "prediction", "'" + where + "' must be a number, got " + describe(e.getValue()));
            }
            double p = requireFinite(where, e.getValue());
            if (p < 0.0) {
                throw new Invalid(RejectReason.OUT_OF_RANGE, "prediction", "'" + where + "' is negative: " + p);
            }
            total += p;
        }
        if (!(total > 0.0) || !Double.isFinite(total)) {
            throw new Invalid(RejectReason.OUT_OF_RANGE, "prediction", "class probabilities must have a positive, finite sum, got " + total);
        }
        return prediction;
    }

    /** Epoch milliseconds as a JSON integer, or an ISO-8601 instant string; absent means the record's time. */
    private static long eventTime(JsonNode ts, long recordTimestamp) {
        long time;
        if (ts == null || ts.isNull()) {
            time = recordTimestamp;
        } else if (ts.isIntegralNumber() && ts.canConvertToLong()) {
            time = ts.longValue();
        } else if (ts.isTextual()) {
            time = parseInstant(ts.textValue());
        } else {
            throw new Invalid(RejectReason.INVALID_TIMESTAMP, "timestamp",
                    "field 'timestamp' must be epoch milliseconds (an integer) or an ISO-8601 instant string, got "
                            + describe(ts));
        }
        if (time < 0) {
            throw new Invalid(RejectReason.INVALID_TIMESTAMP, "timestamp", "timestamp " + time + " is before 1970-01-01T00:00:00Z");
        }
        if (time > MAX_TIMESTAMP) {
            // window arithmetic (start + size + grace) must not overflow
            throw new Invalid(RejectReason.INVALID_TIMESTAMP, "timestamp", "timestamp " + time + " is after 9999-12-31T23:59:59.999Z");
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
                throw new Invalid(RejectReason.INVALID_TIMESTAMP, "timestamp",
                        "field 'timestamp' is not an ISO-8601 instant such as 2026-11-24T06:00:00Z: '" + abbreviate(text) + "'");
            }
        } catch (ArithmeticException e) {
            throw new Invalid(RejectReason.INVALID_TIMESTAMP, "timestamp", "field 'timestamp' is out of range: '" + abbreviate(text) + "'");
        }
    }

    private static double requireFinite(String where, JsonNode number) {
        double v = number.doubleValue();
        if (!Double.isFinite(v)) {
            throw new Invalid(RejectReason.INVALID_NUMBER, where.startsWith("prediction") ? "prediction" : where, "'" + where + "' is not a finite number: " + abbreviate(number.asText()));
        }
        return v;
    }

    private static String checkLength(String field, String value) {
        if (value.length() > MAX_NAME_LENGTH) {
            throw new Invalid(RejectReason.OUT_OF_RANGE, field.equals("class name") ? "prediction" : field,
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

    /** The top-level fields the checks read, each as the tree reader's node; null where the record has none. */
    static final class Fields {
        static final int MODEL = 1;
        static final int MODEL_VERSION = 1 << 1;
        static final int PREDICTION_ID = 1 << 2;
        static final int TIMESTAMP = 1 << 3;
        static final int PREDICTION = 1 << 4;
        static final int LABEL = 1 << 5;
        static final int PREDICTION_FIELDS = MODEL | MODEL_VERSION | PREDICTION_ID | TIMESTAMP | PREDICTION | LABEL;
        static final int LABEL_FIELDS = PREDICTION_ID | LABEL | TIMESTAMP;

        JsonNode model;
        JsonNode modelVersion;
        JsonNode predictionId;
        JsonNode timestamp;
        JsonNode prediction;
        JsonNode label;
        /** The segment fields' names and values (CONTRACT §11), in the same order; null: none read. */
        String[] segmentNames;
        JsonNode[] segments;
        /** The tree the fields were read from, if any. */
        JsonNode json;

        static Fields of(JsonNode json) {
            Fields fields = new Fields();
            fields.json = json;
            fields.model = json.get("model");
            fields.modelVersion = json.get("model_version");
            fields.predictionId = json.get("prediction_id");
            fields.timestamp = json.get("timestamp");
            fields.prediction = json.get("prediction");
            fields.label = json.get("label");
            return fields;
        }

        /** The bit of a known field's name; 0 for any other name. */
        static int bit(String name) {
            return switch (name) {
                case "model" -> MODEL;
                case "model_version" -> MODEL_VERSION;
                case "prediction_id" -> PREDICTION_ID;
                case "timestamp" -> TIMESTAMP;
                case "prediction" -> PREDICTION;
                case "label" -> LABEL;
                default -> 0;
            };
        }

        void set(int bit, JsonNode node) {
            switch (bit) {
                case MODEL -> model = node;
                case MODEL_VERSION -> modelVersion = node;
                case PREDICTION_ID -> predictionId = node;
                case TIMESTAMP -> timestamp = node;
                case PREDICTION -> prediction = node;
                case LABEL -> label = node;
                default -> throw new IllegalArgumentException("not one field: " + bit);
            }
        }
    }

    /** Thrown inside the parser only, to leave a field check with its reason. */
    private static final class Invalid extends RuntimeException {
        private final String reason;
        /** The §4 field the check was of. */
        private final String field;

        Invalid(String reason, String field, String message) {
            super(message, null, false, false);
            this.reason = reason;
            this.field = field;
        }
    }
}
