package io.losswatch.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the records of a topic that has a mapping or a format (CONTRACT §10): builds each §4 field's
 * value from the record's tree, headers, key or a constant, and hands them to the parser's own field
 * checks, so a mapped record is accepted or rejected exactly as a §4 record with those values would be.
 * A rejection's message ends with where the field was read. Topics without a mapping never come here.
 */
public final class MappedRecordReader {
    /** The CloudEvents type of a KServe inference logger response; requests are skipped. */
    public static final String KSERVE_RESPONSE = "org.kubeflow.serving.inference.response";
    public static final String KSERVE_REQUEST = "org.kubeflow.serving.inference.request";
    /** Skip reasons (losswatch_input_skipped_total{reason}). */
    public static final String SKIP_REQUEST = "kserve_request";
    public static final String SKIP_OTHER_TYPE = "other_event_type";
    public static final String SKIP_EMPTY = "no_predictions";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final EventParser parser;
    private final InputMapping mapping;
    private final Function<String, List<String>> classes;
    /** Per field, the words a rejection's message ends with; for a field neither mapped nor defaulted, none. */
    private final Function<String, String> where;

    public MappedRecordReader(EventParser parser, InputMapping mapping) {
        this(parser, mapping, model -> List.of(), true);
    }

    /** classes: a model's names for the columns of a multi-class KServe row (empty: "0", "1", …). */
    public MappedRecordReader(EventParser parser, InputMapping mapping, Function<String, List<String>> classes) {
        this(parser, mapping, classes, true);
    }

    /** stream false: every record is read as a tree (for tests that compare the two paths). */
    MappedRecordReader(EventParser parser, InputMapping mapping, boolean stream) {
        this(parser, mapping, model -> List.of(), stream);
    }

    private MappedRecordReader(EventParser parser, InputMapping mapping, Function<String, List<String>> classes,
                               boolean stream) {
        this.parser = parser;
        this.classes = classes;
        this.mapping = mapping;
        boolean kserve = mapping.format() == InputMapping.Format.KSERVE;
        this.where = field -> {
            FieldSource source = mapping.fields().get(field);
            if (source != null) {
                return " (read by " + mapping.fieldKey(field) + "=" + source.text() + ")";
            }
            String header = kserve ? kserveHeader(field) : null;
            if (header != null) {
                return " (read from header " + header + ", " + InputMapping.PREFIX + mapping.topic() + ".format=kserve)";
            }
            if (kserve && field.equals("prediction")) {
                return " (read from the KServe response body, " + InputMapping.PREFIX + mapping.topic() + ".format=kserve)";
            }
            return "";
        };
        List<String> names = new ArrayList<>(InputMapping.fieldsOf(mapping.topic()));
        if (mapping.topic().equals("predictions")) {
            names.addAll(parser.segmentFields()); // read like any other field (CONTRACT §11), after the §4 ones
        }
        this.fieldNames = List.copyOf(names);
        this.sources = new FieldSource[fieldNames.size()];
        this.fromValue = new boolean[fieldNames.size()];
        com.fasterxml.jackson.core.JsonPointer[] pointers = new com.fasterxml.jackson.core.JsonPointer[fieldNames.size()];
        for (int k = 0; k < fieldNames.size(); k++) {
            FieldSource source = mapping.fields().get(fieldNames.get(k));
            sources[k] = source;
            if (source == null) {
                pointers[k] = com.fasterxml.jackson.core.JsonPointer.compile("/" + fieldNames.get(k));
            } else if (source instanceof FieldSource.Pointer p) {
                pointers[k] = p.pointer();
            }
            fromValue[k] = pointers[k] != null;
        }
        StreamedPointers streamed = null;
        if (stream && !kserve) {
            try {
                streamed = new StreamedPointers(pointers);
            } catch (IllegalArgumentException e) {
                // read as a tree, every record
            }
        }
        this.pointers = streamed;
    }

    /**
     * The values of this topic's fields in {@link #fieldNames} order: streamed when the record allows
     * it, else from the tree; a rejection of the record's form as a {@link ReadResult.Rejected}.
     */
    private Object values(Input in) {
        JsonNode[] values = pointers == null ? null : parser.streamPointers(in.value(), pointers);
        JsonNode json = null;
        if (values == null) {
            ParseResult<JsonNode> tree = parser.readObject(in.value());
            if (tree instanceof ParseResult.Rejected<JsonNode> r) {
                return new ReadResult.Rejected<>(r.rejection());
            }
            json = ((ParseResult.Ok<JsonNode>) tree).event();
            values = new JsonNode[fieldNames.size()];
        }
        for (int k = 0; k < values.length; k++) {
            if (json == null && fromValue[k]) {
                continue; // streamed
            }
            values[k] = sources[k] == null ? json.get(fieldNames.get(k)) : read(sources[k], json, in, fieldNames.get(k));
        }
        return values;
    }

    /**
     * The fields of this topic's records, their sources (null: the §4 top-level field), whether each is
     * read from the value, and those pointers as the streaming reader follows them (null when they cannot be
     * streamed, and then every record is read as a tree).
     */
    private final List<String> fieldNames;
    private final FieldSource[] sources;
    private final boolean[] fromValue;
    private final StreamedPointers pointers;

    /** The record as the reader sees it: key and value bytes, a header's last value (null when absent), timestamp. */
    public record Input(byte[] key, byte[] value, Function<String, byte[]> headers, long timestamp) {
    }

    public ReadResult<PredictionEvent> readPredictions(Input in) {
        if (mapping.format() == InputMapping.Format.KSERVE) {
            return kserve(in);
        }
        try {
            Object read = values(in);
            if (read instanceof ReadResult.Rejected<?> r) {
                return new ReadResult.Rejected<>(r.rejection());
            }
            // InputMapping.PREDICTION_FIELDS order
            JsonNode[] v = (JsonNode[]) read;
            EventParser.Fields fields = new EventParser.Fields();
            fields.predictionId = v[0];
            fields.model = v[1];
            fields.modelVersion = v[2];
            fields.timestamp = v[3];
            fields.prediction = v[4];
            fields.label = v[5];
            segments(fields, v.length - SEGMENTS_FROM > 0 ? java.util.Arrays.copyOfRange(v, SEGMENTS_FROM, v.length) : null);
            return one(EventParser.predictionEvent(fields, in.timestamp(), where));
        } catch (NotUtf8 e) {
            return new ReadResult.Rejected<>(new Rejection(RejectReason.WRONG_TYPE, e.getMessage()));
        }
    }

    /** Where a prediction's segment fields start among {@link #fieldNames}: after the six §4 fields. */
    private static final int SEGMENTS_FROM = 6;

    /** Hands the segment fields' values (CONTRACT §11), in the parser's order, to the checks; none without. */
    private void segments(EventParser.Fields fields, JsonNode[] values) {
        if (values != null) {
            fields.segmentNames = parser.segmentFields().toArray(new String[0]);
            fields.segments = values;
        }
    }

    public ReadResult<LabelEvent> readLabel(Input in) {
        try {
            Object read = values(in);
            if (read instanceof ReadResult.Rejected<?> r) {
                return new ReadResult.Rejected<>(r.rejection());
            }
            // InputMapping.LABEL_FIELDS order
            JsonNode[] v = (JsonNode[]) read;
            EventParser.Fields fields = new EventParser.Fields();
            fields.predictionId = v[0];
            fields.timestamp = v[1];
            fields.label = v[2];
            return one(EventParser.labelEvent(fields, in.timestamp(), where));
        } catch (NotUtf8 e) {
            return new ReadResult.Rejected<>(new Rejection(RejectReason.WRONG_TYPE, e.getMessage()));
        }
    }

    private static <T> ReadResult<T> one(ParseResult<T> parsed) {
        if (parsed instanceof ParseResult.Rejected<T> r) {
            return new ReadResult.Rejected<>(r.rejection());
        }
        return new ReadResult.Events<>(List.of(((ParseResult.Ok<T>) parsed).event()));
    }

    /**
     * Reads a source (json may be null for a source other than a pointer); a header, the key or a constant
     * is a string, except that digits are epoch ms for timestamp.
     */
    JsonNode read(FieldSource source, JsonNode json, Input in, String field) {
        if (source instanceof FieldSource.Pointer p) {
            // an absent target reads as an absent field: its default, or missing_field when it is required
            JsonNode node = json.at(p.pointer());
            return node.isMissingNode() ? null : node;
        }
        String text;
        if (source instanceof FieldSource.Header h) {
            text = utf8(in.headers().apply(h.name()), field, source);
        } else if (source instanceof FieldSource.Const c) {
            text = c.value();
        } else {
            text = utf8(in.key(), field, source);
        }
        return text == null ? null : textNode(text, field);
    }

    private static JsonNode textNode(String text, String field) {
        if (field.equals("timestamp") && isDigits(text) && text.length() <= 18) {
            return NODES.numberNode(Long.parseLong(text));
        }
        return NODES.textNode(text);
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private String utf8(byte[] bytes, String field, FieldSource source) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new NotUtf8("field '" + field + "' is not UTF-8 text" + describe(field, source));
        }
    }

    private String describe(String field, FieldSource source) {
        return mapping.fields().get(field) == source
                ? " (read by " + mapping.fieldKey(field) + "=" + source.text() + ")"
                : " (read from " + source.text() + ")";
    }

    // ---- KServe inference logger responses (binary-mode CloudEvents) ----

    /** The header a KServe field is read from when it is not mapped; null for a field read otherwise. */
    private static String kserveHeader(String field) {
        return switch (field) {
            case "model" -> "ce_inferenceservicename";
            case "prediction_id" -> "ce_id";
            case "timestamp" -> "ce_time";
            default -> null;
        };
    }

    private ReadResult<PredictionEvent> kserve(Input in) {
        byte[] typeBytes = in.headers().apply("ce_type");
        String type = typeBytes == null ? null : new String(typeBytes, StandardCharsets.UTF_8);
        if (type == null) {
            return rejected(RejectReason.MISSING_FIELD, "header ce_type is missing: not a binary-mode CloudEvent ("
                    + InputMapping.PREFIX + mapping.topic() + ".format=kserve)");
        }
        if (!type.equals(KSERVE_RESPONSE)) {
            return new ReadResult.Skipped<>(type.equals(KSERVE_REQUEST) ? SKIP_REQUEST : SKIP_OTHER_TYPE);
        }
        ParseResult<JsonNode> tree = parser.readObject(in.value());
        if (tree instanceof ParseResult.Rejected<JsonNode> r) {
            return new ReadResult.Rejected<>(r.rejection());
        }
        JsonNode body = ((ParseResult.Ok<JsonNode>) tree).event();
        List<JsonNode> rows;
        try {
            rows = rows(body);
        } catch (BadBody e) {
            return rejected(e.reason, e.getMessage());
        }
        if (rows.isEmpty()) {
            return new ReadResult.Skipped<>(SKIP_EMPTY);
        }
        List<PredictionEvent> events = new ArrayList<>(rows.size());
        try {
            JsonNode model = kserveField(body, in, "model");
            JsonNode version = kserveField(body, in, "model_version");
            JsonNode id = kserveField(body, in, "prediction_id");
            JsonNode timestamp = kserveField(body, in, "timestamp");
            JsonNode label = kserveField(body, in, "label");
            List<String> segmentNames = parser.segmentFields();
            JsonNode[] segmentValues = new JsonNode[segmentNames.size()];
            for (int k = 0; k < segmentValues.length; k++) {
                // mapped, or else the body's top-level field of that name (CONTRACT §11)
                String name = segmentNames.get(k);
                segmentValues[k] = mapping.fields().containsKey(name) ? kserveField(body, in, name) : body.get(name);
            }
            boolean defaultId = !mapping.fields().containsKey("prediction_id");
            List<String> names = model != null && model.isTextual() ? classes.apply(model.textValue()) : List.of();
            for (int i = 0; i < rows.size(); i++) {
                EventParser.Fields fields = new EventParser.Fields();
                fields.model = model;
                fields.modelVersion = version;
                fields.predictionId = defaultId && id != null && id.isTextual() ? NODES.textNode(id.textValue() + "-" + i) : id;
                fields.timestamp = timestamp;
                fields.label = label;
                segments(fields, segmentValues.length > 0 ? segmentValues : null);
                JsonNode row = rows.get(i);
                if (!names.isEmpty() && row.isArray() && row.size() > 1 && row.size() != names.size()) {
                    return rejected(RejectReason.OUT_OF_RANGE, "prediction " + i + " of " + rows.size() + ": a row of "
                            + row.size() + " values, but losswatch.model." + model.textValue() + ".classes names "
                            + names.size() + " classes");
                }
                fields.prediction = prediction(row, names);
                ParseResult<PredictionEvent> parsed = EventParser.predictionEvent(fields, in.timestamp(), where);
                if (parsed instanceof ParseResult.Rejected<PredictionEvent> r) {
                    String message = rows.size() == 1 ? r.rejection().message()
                            : "prediction " + i + " of " + rows.size() + ": " + r.rejection().message();
                    return rejected(r.rejection().reason(), message);
                }
                events.add(((ParseResult.Ok<PredictionEvent>) parsed).event());
            }
        } catch (NotUtf8 e) {
            return rejected(RejectReason.WRONG_TYPE, e.getMessage());
        }
        return new ReadResult.Events<>(events);
    }

    private JsonNode kserveField(JsonNode body, Input in, String field) {
        FieldSource source = mapping.fields().get(field);
        if (source != null) {
            return read(source, body, in, field);
        }
        String header = kserveHeader(field);
        if (header == null) {
            return null;
        }
        String text = utf8(in.headers().apply(header), field, new FieldSource.Header(header));
        // ce_time is RFC 3339, read as the ISO-8601 instant it is (nanoseconds truncated to the millisecond)
        return text == null ? null : NODES.textNode(text);
    }

    /** A row of one number is that number; a row of k > 1 is a multi-class prediction with classes "0".."k-1". */
    private static JsonNode prediction(JsonNode row, List<String> names) {
        if (!row.isArray()) {
            return row;
        }
        if (row.size() == 1) {
            return row.get(0);
        }
        ObjectNode classes = NODES.objectNode();
        for (int k = 0; k < row.size(); k++) {
            classes.set(names.isEmpty() ? Integer.toString(k) : names.get(k), row.get(k));
        }
        return classes;
    }

    /** The body's predictions, one node per prediction: V1 {"predictions": [...]} or a V2 output's rows. */
    private List<JsonNode> rows(JsonNode body) {
        JsonNode v1 = body.get("predictions");
        JsonNode outputs = body.get("outputs");
        if (v1 != null && mapping.kserveOutput().isEmpty()) {
            if (!v1.isArray()) {
                throw new BadBody(RejectReason.WRONG_TYPE, "KServe V1 response: 'predictions' must be an array, got "
                        + v1.getNodeType().toString().toLowerCase());
            }
            List<JsonNode> rows = new ArrayList<>(v1.size());
            v1.forEach(rows::add);
            return rows;
        }
        if (outputs == null || !outputs.isArray() || outputs.isEmpty()) {
            throw new BadBody(RejectReason.MISSING_FIELD,
                    "KServe response: the body has neither V1 'predictions' nor a non-empty V2 'outputs' array");
        }
        JsonNode output = outputs.get(0);
        if (!mapping.kserveOutput().isEmpty()) {
            output = null;
            for (JsonNode o : outputs) {
                if (mapping.kserveOutput().equals(o.path("name").asText(null))) {
                    output = o;
                    break;
                }
            }
            if (output == null) {
                throw new BadBody(RejectReason.MISSING_FIELD, "KServe V2 response has no output named '"
                        + mapping.kserveOutput() + "' (" + InputMapping.PREFIX + mapping.topic() + ".kserve.output)");
            }
        }
        JsonNode data = output.get("data");
        if (data == null || !data.isArray()) {
            throw new BadBody(RejectReason.MISSING_FIELD, "KServe V2 output has no 'data' array");
        }
        List<JsonNode> rows = new ArrayList<>();
        if (!data.isEmpty() && data.get(0).isArray()) {
            // nested rows
            data.forEach(rows::add);
            return rows;
        }
        JsonNode shape = output.get("shape");
        int n = data.size();
        int k = 1;
        if (shape != null) {
            if (!shape.isArray() || shape.isEmpty() || shape.size() > 2 || !allNonNegativeInts(shape)) {
                throw new BadBody(RejectReason.WRONG_TYPE, "KServe V2 output 'shape' must be [N] or [N, k], got " + shape);
            }
            n = shape.get(0).intValue();
            k = shape.size() == 2 ? shape.get(1).intValue() : 1;
            if ((long) n * k != data.size() || k == 0) {
                throw new BadBody(RejectReason.WRONG_TYPE, "KServe V2 output of shape " + shape + " has "
                        + data.size() + " data values");
            }
        }
        for (int i = 0; i < n; i++) {
            if (k == 1) {
                rows.add(data.get(i));
            } else {
                var row = NODES.arrayNode(k);
                for (int j = 0; j < k; j++) {
                    row.add(data.get(i * k + j));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static boolean allNonNegativeInts(JsonNode shape) {
        for (JsonNode d : shape) {
            if (!d.isInt() || d.intValue() < 0) {
                return false;
            }
        }
        return true;
    }

    private static <T> ReadResult<T> rejected(String reason, String message) {
        return new ReadResult.Rejected<>(new Rejection(reason, message));
    }

    private static final class BadBody extends RuntimeException {
        private final String reason;

        BadBody(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    private static final class NotUtf8 extends RuntimeException {
        NotUtf8(String message) {
            super(message, null, false, false);
        }
    }
}
